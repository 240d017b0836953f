package dev.flotilla.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class InFlightTest {
    private static TopicLog.Result applied(String lane, long started, long ended) {
        return new TopicLog.Result("t", "PASSED", started, ended, ended, null, "s/1/" + lane);
    }

    @Test
    void sharesAreTheFractionsOfTheSpanWithEachNumberApplying() {
        List<TopicLog.Result> results = List.of(applied("0", 0, 10), applied("1", 5, 20));

        double[] shares = InFlight.shares(results, 2);

        assertThat(shares[2]).isCloseTo(0.25, within(1e-9));
        assertThat(shares[1]).isCloseTo(0.75, within(1e-9));
        assertThat(shares[0]).isZero();
    }

    @Test
    void aGroupsMeanApplyingIsItsApplyTimeOverItsSpan() {
        List<TopicLog.Result> results = List.of(applied("0", 0, 10), applied("0", 30, 40), applied("1", 0, 20),
                applied("c", 0, 5));

        List<InFlight.Group> g = InFlight.groups(results, r -> r.commandId().startsWith("s/1/c") ? null
                : "wave " + r.commandId().substring(4), name -> 2);

        assertThat(g).extracting(InFlight.Group::name).containsExactly("wave 0", "wave 1");
        assertThat(g.get(0).meanApplying()).as("20 ms applying over 0-40").isCloseTo(0.5, within(1e-9));
        assertThat(g.get(1).meanApplying()).isCloseTo(1.0, within(1e-9));
        assertThat(g.get(0).parallel()).isEqualTo(2);
    }
}
