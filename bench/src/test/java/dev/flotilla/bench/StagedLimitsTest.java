package dev.flotilla.bench;

import dev.flotilla.migrate.sql.Dialect;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class StagedLimitsTest {
    /** Names only: the tests never connect. */
    private static Fleet names(int n) {
        List<String> tenants = Fleet.names("tenant", n);
        return new Fleet() {
            @Override
            public String kind() {
                return "postgres";
            }

            @Override
            public Dialect dialect() {
                return Dialect.POSTGRES;
            }

            @Override
            public List<String> tenants() {
                return tenants;
            }

            @Override
            public String atlasUrl(String tenant) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String hclUrl() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Connection connect(String tenant) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String jdbcUrl(String tenant) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Optional<String> schema(String tenant) {
                return Optional.of(tenant);
            }

            @Override
            public void reset(int parallel) {
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void intervalsThatOnlyTouchDoNotOverlap() {
        assertThat(StagedLimits.maxConcurrent(List.of(new long[] {0, 10}, new long[] {10, 20}))).isEqualTo(1);
        assertThat(StagedLimits.maxConcurrent(List.of(new long[] {0, 10}, new long[] {5, 20}, new long[] {9, 11},
                new long[] {12, 13}))).isEqualTo(3);
        assertThat(StagedLimits.maxConcurrent(List.of())).isZero();
    }

    @Test
    void meanIsTheBusyTimeOverTheSpan() {
        assertThat(StagedLimits.meanConcurrent(List.of(new long[] {0, 10}, new long[] {0, 10}, new long[] {10, 20})))
                .isEqualTo(1.5);
    }

    @Test
    void groupsAreTheCanaryThenContiguousRangesAsTheDeploymentBlockSays() {
        StagedLimits s = new StagedLimits(names(10), List.of(3, 5));

        assertThat(s.groupOf("tenant_000001")).isEqualTo("canary");
        assertThat(s.groupOf("tenant_000002")).isEqualTo("wave_1");
        assertThat(s.groupOf("tenant_000005")).isEqualTo("wave_1");
        assertThat(s.groupOf("tenant_000006")).isEqualTo("wave_2");
        assertThat(s.groups()).contains("match = var.name == \"tenant_000001\"", "match = var.name <= \"tenant_000005\"",
                "parallel = 3", "parallel = 5");
        assertThat(s.groups().split("match").length).isEqualTo(3); // the last group has none: it takes the rest
    }
}
