package dev.flotilla.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.testkit.TestPorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code migrate apply --env}: the deployment request, progress while it runs, Atlas' per-target lines. */
class FleetApplyTest {
    private static final String SET_PATH = "/api/v1/deployment-sets/3f0c";
    private static final String CREATED = "{\"id\":\"3f0c\",\"planned\":3,\"env\":\"prod\",\"directory\":\"app\","
            + "\"tag\":\"latest\",\"versionId\":\"ab12\",\"version\":\"20240721101205\",\"url\":\"/deployments/sets/3f0c\"}";
    private static final String TENANT_1 = "{\"targetId\":\"prod/tenant_1\",\"targetName\":\"tenant_1\","
            + "\"status\":\"PASSED\",\"fromVersion\":\"20240720000000\",\"toVersion\":\"20240721101205\"}";
    private static final String TENANT_2 = "{\"targetId\":\"prod/tenant_2\",\"targetName\":\"tenant_2\","
            + "\"status\":\"NO_ACTION\",\"fromVersion\":\"20240721101205\",\"toVersion\":\"20240721101205\"}";
    private static final String TENANT_3 = "{\"targetId\":\"prod/tenant_3\",\"targetName\":\"tenant_3\","
            + "\"status\":\"FAILED\",\"error\":\"sql/migrate: executing statement \\\"DROP TABLE x;\\\" from version"
            + " \\\"20240721101205\\\": no such table: x\"}";

    @RegisterExtension
    final FakeFlotilla server = new FakeFlotilla();


    private static String set(String status, int succeeded, int failed, String... targets) {
        return "{\"id\":\"3f0c\",\"seq\":7,\"env\":\"prod\",\"directory\":\"app\",\"status\":\"" + status
                + "\",\"total\":3,\"succeeded\":" + succeeded + ",\"failed\":" + failed + ",\"targets\":["
                + String.join(",", targets) + "],\"targetsPage\":{\"page\":1,\"pageSize\":500,\"total\":"
                + targets.length + "}}";
    }

    private CliRun apply(String... extra) {
        String[] args = new String[extra.length + 8];
        System.arraycopy(new String[] {"migrate", "apply", "--env", "prod", "--registry", server.url(),
            "--poll-interval", "5ms"}, 0, args, 0, 8);
        System.arraycopy(extra, 0, args, 8, extra.length);
        return CliRun.of(args);
    }

    @Test
    void followsTheSetAndPrintsOneAtlasLinePerTargetThenTheUrl() {
        server.json("POST", "/api/v1/deployments", 201, CREATED)
                .json("GET", SET_PATH, 404, "{\"error\":\"deployment set \\\"3f0c\\\" not found\",\"code\":\"NOT_FOUND\"}")
                .json("GET", SET_PATH, 200, set("RUNNING", 1, 0, TENANT_1))
                .json("GET", SET_PATH, 200, set("RUNNING", 1, 0, TENANT_1))
                .json("GET", SET_PATH, 200, set("FAILED", 2, 1, TENANT_1, TENANT_2, TENANT_3));

        CliRun r = apply();

        assertThat(r.out()).isEqualTo(""
                + "Deployment set 7: 1/3 targets done\n"
                + "Deployment set 7: 3/3 targets done\n"
                + "tenant_1: migrated to version 20240721101205 from 20240720000000\n"
                + "tenant_2: No migration files to execute\n"
                + "tenant_3: Error: sql/migrate: executing statement \"DROP TABLE x;\" from version"
                + " \"20240721101205\": no such table: x\n"
                + server.url() + "/deployments/sets/3f0c\n");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Error: deployment set 7 failed on 1 of 3 targets; see " + server.url()
                + "/deployments/sets/3f0c\n");
        FakeFlotilla.Request post = server.requests().get(0);
        assertThat(post.contentType()).isEqualTo("application/json");
        assertThat(post.bodyText()).isEqualTo("{\"env\":\"prod\",\"tag\":null,\"dryRun\":false}");
    }

    @Test
    void aRolloutThatPausedItselfEndsTheWaitWithTheReasonAndHowToGoOn() {
        String paused = set("RUNNING", 1, 1, TENANT_1, TENANT_3).replace("\"status\":\"RUNNING\"",
                "\"status\":\"RUNNING\",\"state\":\"PAUSED\",\"reason\":\"halted: 1 of 2 finished targets failed\"");
        server.json("POST", "/api/v1/deployments", 201, CREATED)
                .json("GET", SET_PATH, 200, paused)
                .json("GET", SET_PATH, 200, paused);

        CliRun r = apply("--to-version", "20240721101205");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Error: the rollout of deployment set 7 is PAUSED: halted: 1 of 2 finished"
                + " targets failed; go on with 'flotilla rollout resume --set 3f0c'; see " + server.url()
                + "/deployments/sets/3f0c\n");
        assertThat(server.requests().get(0).bodyText()).isEqualTo("{\"env\":\"prod\",\"tag\":null,\"toVersion\":"
                + "\"20240721101205\",\"dryRun\":false}");
    }

    @Test
    void passedSetExitsZeroAndSendsTagAndDryRun() {
        server.json("POST", "/api/v1/deployments", 201, CREATED)
                .json("GET", SET_PATH, 200, set("PASSED", 3, 0, TENANT_1, TENANT_2, TENANT_1.replace("tenant_1",
                        "tenant_9")));

        CliRun r = apply("--tag", "v2", "--dry-run");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("Deployment set 7: 3/3 targets done\ntenant_1: migrated to version")
                .contains("tenant_9: migrated to version 20240721101205 from 20240720000000\n");
        assertThat(server.requests().get(0).bodyText()).isEqualTo("{\"env\":\"prod\",\"tag\":\"v2\",\"dryRun\":true}");
    }

    @Test
    void noWaitPrintsTheSetUrlAndDoesNotPoll() {
        server.json("POST", "/api/v1/deployments", 201, CREATED);

        CliRun r = apply("--no-wait");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("Deployment set 3f0c started: 3 targets of env \"prod\"\n" + server.url()
                + "/deployments/sets/3f0c\n");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void stillRunningAtTheTimeoutIsAnError() {
        server.json("POST", "/api/v1/deployments", 201, CREATED)
                .json("GET", SET_PATH, 200, set("RUNNING", 2, 0, TENANT_1, TENANT_2));

        CliRun r = apply("--wait-timeout", "50ms");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("Deployment set 7: 2/3 targets done\n");
        assertThat(r.err()).contains("deployment set 3f0c is still running after 50ms").contains("--wait-timeout");
    }

    @Test
    void unknownEnvShowsTheServersMessage() {
        server.json("POST", "/api/v1/deployments", 404, "{\"error\":\"env \\\"qa\\\" is not in the project file;"
                + " envs: [prod]\",\"code\":\"NOT_FOUND\"}");

        CliRun r = apply();

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Error: env \"qa\" is not in the project file; envs: [prod]\n");
    }

    @Test
    void aTargetIsRequiredAndFleetOnlyFlagsAreRefusedWithUrl() {
        CliRun neither = CliRun.of("migrate", "apply");
        CliRun both = CliRun.of("migrate", "apply", "--env", "prod", "--url", "sqlite://t.db");
        CliRun tagWithUrl = CliRun.of("migrate", "apply", "--url", "sqlite://t.db", "--tag", "v1");
        CliRun amountWithEnv = CliRun.of("migrate", "apply", "--env", "prod", "3");

        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.err()).contains("pass --url").contains("--env NAME");
        assertThat(both.exitCode()).as("--url with --env applies to that database with the env's directory")
                .isEqualTo(2);
        assertThat(both.err()).contains("--env prod is read from the project file").contains("pass --config");
        assertThat(tagWithUrl.exitCode()).isEqualTo(2);
        assertThat(tagWithUrl.err()).contains("--tag applies to --env deployments");
        assertThat(amountWithEnv.exitCode()).isEqualTo(2);
        assertThat(amountWithEnv.err()).contains("AMOUNT applies to one database");
    }

    @Test
    void serverDownNamesTheRegistryFlag() throws IOException {
        String down = "http://127.0.0.1:" + TestPorts.free();

        CliRun r = CliRun.of("migrate", "apply", "--env", "prod", "--registry", down);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Error: cannot reach Flotilla at " + down
                + ": is 'flotilla dev' running? set --registry or FLOTILLA_URL\n");
    }

    @Test
    void dryRunAndQueuedTargetsHaveTheirOwnLines() throws IOException {
        ObjectMapper json = new ObjectMapper();

        assertThat(FleetApply.line(json.readTree("{\"targetId\":\"prod/t1\",\"status\":\"DRY_RUN\","
                + "\"fromVersion\":\"1\",\"toVersion\":\"2\"}"))).isEqualTo("prod/t1: dry run, would migrate to version 2 from 1");
        assertThat(FleetApply.line(json.readTree("{\"targetName\":\"t1\",\"status\":\"QUEUED\"}")))
                .isEqualTo("t1: queued");
    }
}
