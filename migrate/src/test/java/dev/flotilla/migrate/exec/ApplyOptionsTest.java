package dev.flotilla.migrate.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.migrate.dir.TxMode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ApplyOptionsTest {

    @Test
    void defaultsAreAtlasDefaults() {
        assertThat(ApplyOptions.defaults()).isEqualTo(new ApplyOptions(0, null, false, null, false, TxMode.FILE,
                ExecOrder.LINEAR, Duration.ofSeconds(10), Duration.ofSeconds(10), null, ApplyOptions.OPERATOR_VERSION));
    }

    @Test
    void toBuilderKeepsEveryOptionNotChanged() {
        ApplyOptions all = new ApplyOptions(3, "7", true, "2", true, TxMode.NONE, ExecOrder.NON_LINEAR,
                Duration.ofMillis(300), Duration.ofMillis(400), "ops", "test v1");

        assertThat(all.toBuilder().build()).isEqualTo(all);
        assertThat(all.toBuilder().amount(0).toVersion(null).build())
                .isEqualTo(new ApplyOptions(0, null, true, "2", true, TxMode.NONE, ExecOrder.NON_LINEAR,
                        Duration.ofMillis(300), Duration.ofMillis(400), "ops", "test v1"));
    }

    @Test
    void buildRefusesWhatTheRecordRefuses() {
        assertThatThrownBy(() -> ApplyOptions.builder().amount(-1).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("amount must be >= 0, was -1");
        assertThatThrownBy(() -> ApplyOptions.builder().lockTimeout(null).build())
                .isInstanceOf(NullPointerException.class).hasMessage("lockTimeout");
    }
}
