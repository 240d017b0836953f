package dev.flotilla.aggregator;

import dev.flotilla.protocol.avro.DirectoryPushed;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SegmentsTest {
    private static final String S1 = "set-1";
    private static final String S2 = "set-2";

    private final Events ev = new Events(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void aRolloutBatchIsOneSegment() {
        List<Object> batch = List.of(ev.set(S1, "2", 3), ev.command(S1, "t1", "2", 0), ev.command(S1, "t2", "2", 0),
                ev.progress(S1, "t1", 1, 1), ev.result(S1, "t1", "PASSED", 1, "2", "2", 2),
                ev.result(S1, "t2", "PASSED", 1, "2", "2", 2), ev.progress(S1, "t3", 1, 3));

        assertThat(Segments.split(batch)).containsExactly(List.of(0, 1, 2, 3, 4, 5, 6));
    }

    @Test
    void aCommandAfterAResultOfItsTargetStartsASegment() {
        List<Object> batch = List.of(ev.result(S1, "t1", "PASSED", 1, "2", "2", 2), ev.command(S2, "t1", "3", 3),
                ev.result(S2, "t1", "PASSED", 1, "3", "3", 4));

        assertThat(Segments.split(batch)).containsExactly(List.of(0), List.of(1, 2));
    }

    @Test
    void progressAfterAResultOfItsTargetStartsASegment() {
        List<Object> batch = List.of(ev.result(S1, "t1", "FAILED", 1, "2", "1", 2), ev.progress(S1, "t1", 2, 3));

        assertThat(Segments.split(batch)).containsExactly(List.of(0), List.of(1));
    }

    @Test
    void aSetEventAfterACommandOfItsSetStartsASegment() {
        List<Object> batch = List.of(ev.command(S1, "t1", "2", 0), ev.set(S1, "2", 1), ev.set(S2, "3", 1));

        assertThat(Segments.split(batch)).containsExactly(List.of(0), List.of(1, 2));
    }

    @Test
    void eventsOfOtherTargetsAndSetsNeverCut() {
        DirectoryPushed pushed = DirectoryPushed.newBuilder().setEventId("e").setOccurredAt(ev.at(0))
                .setDirectory("app").setTag("v1").setVersionId("v").setFileCount(1)
                .build();
        List<Object> batch = List.of(ev.result(S1, "t1", "PASSED", 1, "2", "2", 2), pushed,
                ev.command(S1, "t2", "2", 0), ev.set(S2, "3", 1), pushed, ev.progress(S1, "t3", 1, 1));

        assertThat(Segments.split(batch)).containsExactly(List.of(0, 1, 2, 3, 4, 5));
    }

    @Test
    void anEmptyBatchHasNoSegment() {
        assertThat(Segments.split(List.of())).isEmpty();
    }
}
