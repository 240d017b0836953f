package dev.flotilla.worker;

import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.RolloutChanged;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class RolloutStatesTest {
    private final RolloutStates states = new RolloutStates(null);

    @Test
    void aCommandOfAPausedSetIsHeldBackUntilOneSentAfterTheResume() {
        states.apply(changed("s1", 2, "PAUSED", List.of(), "halted: 3 of 5 failed"));

        assertThat(states.skip(command("s1", "wave", 1))).map(RolloutStates.Skip::code).contains("SET_PAUSED");
        assertThat(states.skip(command("s1", "wave", 1)).orElseThrow().why()).isEqualTo("not started: the rollout is"
                + " paused (halted: 3 of 5 failed); it runs when the rollout is resumed");
        assertThat(states.skip(command("s1", "wave", 3))).as("sent after a resume this worker has not heard of")
                .isEmpty();
        assertThat(states.skip(command("other", "wave", 1))).isEmpty();
    }

    @Test
    void theLatestEpochWinsWhateverOrderTheStatesArriveIn() {
        states.apply(changed("s1", 4, "RUNNING", List.of(), "resumed by alice"));
        states.apply(changed("s1", 3, "PAUSED", List.of(), "paused by alice"));

        assertThat(states.skip(command("s1", null, 2))).isEmpty();
    }

    @Test
    void cancelledSetsAndStoppedGroupsStartNothingMore() {
        states.apply(changed("s1", 2, "CANCELLED", List.of(), "cancelled by bob"));
        states.apply(changed("s2", 2, "RUNNING", List.of("canary"), null));

        assertThat(states.skip(command("s1", null, 1))).map(RolloutStates.Skip::code).contains("SET_CANCELLED");
        assertThat(states.skip(command("s2", "canary", 1))).map(RolloutStates.Skip::code).contains("GROUP_STOPPED");
        assertThat(states.skip(command("s2", "rest", 2))).isEmpty();
    }

    @Test
    void undecodableRecordsAreIgnored() {
        states.apply(new byte[] {1, 2, 3});
        states.apply(null);

        assertThat(states.skip(command("s1", null, 1))).isEqualTo(Optional.empty());
    }

    private static byte[] changed(String set, int epoch, String state, List<String> stopped, String reason) {
        return EventSerde.encode(RolloutChanged.newBuilder().setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now()).setDeploymentSetId(set).setEnv("prod").setDirectory("app")
                .setVersionId("v").setTargetVersion("2").setEpoch(epoch).setState(state).setStoppedGroups(stopped)
                .setReason(reason).setActor(null).setPlanned(3).setSucceeded(0).setFailed(0).setSkipped(0).build());
    }

    private static MigrationCommand command(String set, String group, int epoch) {
        return MigrationCommand.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setDeploymentSetId(set).setTargetId("prod/t").setCommandId(set + "/0/0").setEnv("prod")
                .setDirectory("app").setVersionId("v").setTargetVersion("2").setTargetName("t")
                .setRedactedUrl("sqlite://x").setAttempt(1).setDryRun(false).setIndex(0).setPlanned(1)
                .setGroup(group).setControlEpoch(epoch).build();
    }
}
