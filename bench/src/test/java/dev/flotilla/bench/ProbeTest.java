package dev.flotilla.bench;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ProbeTest {
    @Test
    void theKthEventIsVisibleAtTheFirstAnswerThatCountsK() throws InterruptedException {
        AtomicLong n = new AtomicLong();
        Probe p = Probe.until(() -> n.getAndAdd(2), 4, 0, 60_000);
        long[] produced = {0, 0, 0, 0};
        long[] visible = p.visibilityMillis(produced, 0);
        // answers counted 0, 2, 4: events 1-2 seen in the second answer, 3-4 in the third, never before
        assertThat(visible[0]).isEqualTo(visible[1]);
        assertThat(visible[2]).isEqualTo(visible[3]).isGreaterThanOrEqualTo(visible[1]);
    }
}
