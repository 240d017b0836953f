package dev.flotilla.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StatsTest {
    @Test
    void quantilesAreNearestRankOverTheSortedSample() {
        long[] values = new long[100];
        for (int i = 0; i < 100; i++) {
            values[i] = 100 - i;
        }
        Stats s = Stats.of(values);
        assertThat(s.quantile(0.5)).isEqualTo(50);
        assertThat(s.quantile(0.99)).isEqualTo(99);
        assertThat(s.quantile(1.0)).isEqualTo(100);
        assertThat(s.max()).isEqualTo(100);
    }

    @Test
    void anEmptySampleHasZeroQuantiles() {
        assertThat(Stats.of(new long[0]).quantile(0.99)).isZero();
    }
}
