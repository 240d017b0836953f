package dev.flotilla.aggregator;

import org.junit.jupiter.api.Test;

import java.sql.BatchUpdateException;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

class ViewErrorsTest {
    @Test
    void aValueTheColumnsRejectIsTheEventsFault() {
        assertThat(ViewErrors.eventsFault(new SQLException("null value in column", "23502"))).isTrue();
        assertThat(ViewErrors.eventsFault(new SQLException("invalid byte sequence", "22021"))).isTrue();
        assertThat(ViewErrors.eventsFault(new SQLException("value too long", "22001"))).isTrue();
    }

    @Test
    void connectionDeadlockAndOurOwnSqlAreNot() {
        assertThat(ViewErrors.eventsFault(new SQLException("connection refused", "08001"))).isFalse();
        assertThat(ViewErrors.eventsFault(new SQLException("deadlock detected", "40P01"))).isFalse();
        assertThat(ViewErrors.eventsFault(new SQLException("relation does not exist", "42P01"))).isFalse();
        assertThat(ViewErrors.eventsFault(new SQLException("no state"))).isFalse();
        assertThat(ViewErrors.eventsFault(new IllegalStateException("not SQL"))).isFalse();
    }

    @Test
    void aFailedBatchIsJudgedAndReportedByTheStatementsOwnError() {
        BatchUpdateException batch = new BatchUpdateException("Batch entry 0 INSERT INTO agg_deployments VALUES"
                + " ('secret-looking', ...) was aborted", "23502", new int[0]);
        batch.setNextException(new SQLException("ERROR: null value in column \"set_id\" violates not-null"
                + " constraint\n  Detail: Failing row contains (null, prod/t1).", "23502"));

        assertThat(ViewErrors.eventsFault(batch)).isTrue();
        assertThat(ViewErrors.reason(batch)).isEqualTo("SQLState 23502: ERROR: null value in column \"set_id\""
                + " violates not-null constraint");
    }

    @Test
    void theCauseChainIsWalked() {
        Exception wrapped = new IllegalStateException("outer", new SQLException("out of range", "22003"));

        assertThat(ViewErrors.eventsFault(wrapped)).isTrue();
        assertThat(ViewErrors.reason(wrapped)).isEqualTo("SQLState 22003: out of range");
    }
}
