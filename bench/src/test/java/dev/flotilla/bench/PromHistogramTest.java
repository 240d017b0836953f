package dev.flotilla.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PromHistogramTest {
    private static final String BEFORE = "# TYPE x_seconds histogram\n"
            + "x_seconds_bucket{le=\"0.1\"} 10.0\n"
            + "x_seconds_bucket{le=\"0.2\"} 10.0\n"
            + "x_seconds_bucket{le=\"+Inf\"} 10.0\n"
            + "x_seconds_count 10.0\n";
    private static final String AFTER = "x_seconds_bucket{le=\"0.1\"} 60.0\n"
            + "x_seconds_bucket{le=\"0.2\"} 110.0\n"
            + "x_seconds_bucket{le=\"+Inf\"} 110.0\n"
            + "other_bucket{le=\"0.1\"} 5.0\n";

    @Test
    void theDifferenceOfTwoScrapesHoldsOnlyWhatWasObservedBetweenThem() {
        PromHistogram h = PromHistogram.parse(AFTER, "x_seconds").minus(PromHistogram.parse(BEFORE, "x_seconds"));
        assertThat(h.count()).isEqualTo(100.0);
    }

    @Test
    void quantilesInterpolateInsideTheirBucketAsPromQlDoes() {
        PromHistogram h = PromHistogram.parse(AFTER, "x_seconds").minus(PromHistogram.parse(BEFORE, "x_seconds"));
        assertThat(h.quantile(0.25)).isCloseTo(0.05, within(1e-9));
        assertThat(h.quantile(0.75)).isCloseTo(0.15, within(1e-9));
    }

    @Test
    void aMissingSeriesIsEmpty() {
        assertThat(PromHistogram.parse(AFTER, "absent").quantile(0.5)).isNaN();
    }
}
