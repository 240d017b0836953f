package dev.flotilla.aggregator;

import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A batch the views reject parks the events at fault and keeps the others; other failures are retried whole. */
class BatchApplierIT {
    private static final String SET = "11111111-1111-1111-1111-111111111111";

    private ViewStore store;
    private Events ev;
    private final List<String> parked = new ArrayList<>();

    @BeforeEach
    void setUp() {
        store = new ViewStore("applier");
        ev = new Events(Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS));
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private JdbcViewWriter.Applied apply(Object... events) throws SQLException {
        return new BatchApplier(store.db).apply(Arrays.asList(events), (i, reason) -> parked.add(i + ": " + reason));
    }

    @Test
    void eventsWhoseValuesTheViewsRejectAreParkedAndTheRestIsApplied() throws Exception {
        MigrationCommand noSet = MigrationCommand.newBuilder(ev.command(SET, "prod/tenant_2", "2", 0))
                .setDeploymentSetId(null).build();
        MigrationResult nulByte = MigrationResult.newBuilder(ev.result(SET, "prod/tenant_3", "FAILED", 1, "2", "1", 1))
                .setError("boom\u0000").build();

        JdbcViewWriter.Applied applied = apply(ev.set(SET, "2", 3), ev.command(SET, "prod/tenant_1", "2", 0), noSet,
                null, nulByte, ev.result(SET, "prod/tenant_1", "PASSED", 1, "2", "2", 2));

        assertThat(parked).hasSize(2);
        assertThat(parked.get(0)).startsWith("2: the views reject it: SQLState 23502");
        assertThat(parked.get(1)).startsWith("4: the views reject it: SQLState 22");
        assertThat(applied.changed()).containsExactly(5);
        assertThat(store.queries().database("prod/tenant_1").getString("status")).isEqualTo("SYNCED");
        assertThat(store.rows("SELECT target_id FROM agg_deployments ORDER BY 1")).containsExactly(
                List.of("prod/tenant_1"));
        store.assertCountsMatchRows();
    }

    @Test
    void aBatchThatFailsForAnotherReasonIsNotParkedButLeftToRetry() throws Exception {
        store.exec("ALTER TABLE agg_files RENAME TO agg_files_gone");

        assertThatThrownBy(() -> apply(ev.command(SET, "prod/tenant_1", "2", 0),
                ev.result(SET, "prod/tenant_1", "PASSED", 1, "2", "2", 2))).isInstanceOf(SQLException.class);

        assertThat(parked).isEmpty();
        assertThat(store.rows("SELECT * FROM agg_deployments")).isEmpty();

        store.exec("ALTER TABLE agg_files_gone RENAME TO agg_files");
        JdbcViewWriter.Applied retried = apply(ev.command(SET, "prod/tenant_1", "2", 0),
                ev.result(SET, "prod/tenant_1", "PASSED", 1, "2", "2", 2));

        assertThat(retried.changed()).containsExactly(1);
        assertThat(parked).isEmpty();
    }
}
