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
    void aLaneIdleBetweenItsTargetsOrAfterItsLastOneIsCounted() {
        List<TopicLog.Result> results = List.of(applied("0", 0, 10), applied("0", 30, 40), applied("1", 0, 20));

        InFlight.Lanes l = InFlight.lanes(results, r -> r.commandId().substring(4));

        assertThat(l.lanes()).isEqualTo(2);
        assertThat(l.busy()).isEqualTo(40);
        assertThat(l.gaps()).isEqualTo(20);
        assertThat(l.head()).isZero();
        assertThat(l.tail()).isEqualTo(20);
    }
}
