package dev.flotilla.notifier;

import dev.flotilla.protocol.avro.EnvReachedVersion;
import dev.flotilla.protocol.avro.MigrationResult;
import dev.flotilla.protocol.avro.RolloutChanged;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class NotificationsTest {
    static final String SET = "5e7c0000-0000-0000-0000-000000000001";

    static RolloutChanged rollout(int epoch, String state, String actor, String reason) {
        return RolloutChanged.newBuilder().setEventId("ev-" + epoch + "-" + state).setOccurredAt(Instant.now())
                .setDeploymentSetId(SET).setEnv("prod").setDirectory("app").setVersionId("ab12").setTargetVersion("3")
                .setEpoch(epoch).setState(state).setStoppedGroups(List.of()).setReason(reason).setActor(actor)
                .setPlanned(10).setSucceeded(7).setFailed(2).setSkipped(1).build();
    }

    private static Notifications.Known known(int epoch, String state) {
        return new Notifications.Known(epoch, state);
    }

    @Test
    void theFirstRunningStartsASetAndAResumeDoesNot() {
        assertThat(Notifications.rollout(rollout(1, "RUNNING", null, null), null)).get()
                .extracting(Notification::type).isEqualTo(EventType.SET_STARTED);
        assertThat(Notifications.rollout(rollout(3, "RUNNING", "ops", null), known(2, "PAUSED"))).isEmpty();
    }

    @Test
    void anAutomaticPauseOrAHaltIsAHaltButAnOperatorsPauseIsNot() {
        assertThat(Notifications.rollout(rollout(2, "PAUSED", null, "3 of 5 failed"), known(1, "RUNNING"))).get()
                .extracting(Notification::type).isEqualTo(EventType.SET_HALTED);
        assertThat(Notifications.rollout(rollout(2, "HALTED", null, "group canary failed"), known(1, "RUNNING")))
                .get().extracting(Notification::type).isEqualTo(EventType.SET_HALTED);
        assertThat(Notifications.rollout(rollout(2, "PAUSED", "alice", "looking"), known(1, "RUNNING"))).isEmpty();
    }

    @Test
    void passedFailedAndCancelledFinishASet() {
        for (String s : List.of("PASSED", "FAILED", "CANCELLED")) {
            assertThat(Notifications.rollout(rollout(4, s, null, null), known(3, "RUNNING"))).as(s).get()
                    .extracting(Notification::type).isEqualTo(EventType.SET_FINISHED);
        }
    }

    @Test
    void aReplayedOrStaleEpochAndASameStateEpochTellNothing() {
        assertThat(Notifications.rollout(rollout(4, "PASSED", null, null), known(4, "PASSED"))).isEmpty();
        assertThat(Notifications.rollout(rollout(2, "PAUSED", null, null), known(4, "PASSED"))).isEmpty();
        assertThat(Notifications.rollout(rollout(5, "RUNNING", null, null), known(4, "RUNNING"))).isEmpty();
    }

    @Test
    void aSlackMessageNamesSetEnvDirectoryVersionCountsAndReason() {
        Notification n = Notifications.rollout(rollout(2, "PAUSED", null, "tenant_3, tenant_4 failed: Error: boom"),
                known(1, "RUNNING")).orElseThrow();

        JsonObject slack = new JsonObject(n.render(WebhookFormat.SLACK, "d-1"));

        assertThat(slack.fieldNames()).containsExactly("text");
        assertThat(slack.getString("text")).isEqualTo("Deployment set " + SET + " of directory app to env prod"
                + " (version 3) halted itself (paused): 7/10 succeeded, 2 failed, 1 skipped; reason: tenant_3,"
                + " tenant_4 failed: Error: boom");
    }

    @Test
    void aJsonBodyCarriesTheEventItsIdsAndTheSetsDetails() {
        Notification n = Notifications.rollout(rollout(4, "FAILED", null, null), known(3, "RUNNING")).orElseThrow();

        JsonObject body = new JsonObject(n.render(WebhookFormat.JSON, "d-42"));

        assertThat(body.getString("event")).isEqualTo("set.finished");
        assertThat(body.getString("deliveryId")).isEqualTo("d-42");
        assertThat(body.getString("eventId")).isEqualTo("ev-4-FAILED");
        assertThat(body.getString("directory")).isEqualTo("app");
        assertThat(body.getString("env")).isEqualTo("prod");
        JsonObject data = body.getJsonObject("data");
        assertThat(data.getString("setId")).isEqualTo(SET);
        assertThat(data.getString("state")).isEqualTo("FAILED");
        assertThat(data.getInteger("planned")).isEqualTo(10);
        assertThat(data.getInteger("failed")).isEqualTo(2);
    }

    @Test
    void onlyAFailedResultIsATargetFailureAndItsErrorIsRedacted() {
        MigrationResult failed = result("FAILED", "Error: cannot connect to postgres://app:hunter2@db:5432/t1");

        Notification n = Notifications.result(failed).orElseThrow();

        assertThat(n.type()).isEqualTo(EventType.TARGET_FAILED);
        assertThat(n.eventId()).isEqualTo("r-1");
        assertThat(n.summary()).contains("tenant_1", "prod", "app", "version 3").doesNotContain("hunter2");
        assertThat(n.data().getString("error")).doesNotContain("hunter2");
        assertThat(Notifications.result(result("PASSED", null))).isEmpty();
    }

    @Test
    void anEnvThatReachedAVersionSaysHowManyTargets() {
        EnvReachedVersion e = EnvReachedVersion.newBuilder().setEventId("e-1").setOccurredAt(Instant.now())
                .setEnv("prod").setDirectory("app").setVersionId("ab12").setVersion("3").setTargets(120).build();

        Notification n = Notifications.reached(e);

        assertThat(n.type()).isEqualTo(EventType.ENV_REACHED_VERSION);
        assertThat(n.summary()).isEqualTo("Env prod reached version 3 of directory app on all 120 targets");
    }

    @Test
    void aWebhookShowsNeitherItsUrlPathNorItsSecret() {
        Webhook w = new Webhook(7, "app", "slack", "https://hooks.slack.com/services/T0/B0/XyZsecretpath", WebhookFormat.SLACK,
                Set.of(EventType.SET_FINISHED), "0123456789abcdef-key9", Instant.EPOCH, "ci");

        JsonObject j = w.json();

        assertThat(j.getString("url")).isEqualTo("https://hooks.slack.com/…");
        assertThat(j.getString("secret")).isEqualTo("…key9");
        assertThat(j.encode()).doesNotContain("XyZsecretpath", "0123456789abcdef");
        assertThat(w.toString()).doesNotContain("XyZsecretpath");
    }

    static MigrationResult result(String status, String error) {
        return MigrationResult.newBuilder().setEventId("r-1").setOccurredAt(Instant.now()).setDeploymentSetId(SET)
                .setTargetId("prod/tenant_1").setCommandId(SET + "/0").setAttempt(1).setEnv("prod").setDirectory("app")
                .setVersionId("ab12").setTargetName("tenant_1").setRedactedUrl("postgres://app:xxxxx@db/t1")
                .setStatus(status).setFromVersion("2").setToVersion("3").setFiles(List.of()).setError(error)
                .setStartedAt(Instant.now()).setEndedAt(Instant.now()).setWorkerId("w1").build();
    }
}
