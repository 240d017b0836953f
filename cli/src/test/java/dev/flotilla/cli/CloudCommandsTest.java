package dev.flotilla.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.testkit.TestPorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code flotilla cloud ...} against a canned server: Atlas' table shapes, paging footer, JSON, errors. */
class CloudCommandsTest {
    private static final String DB_1 = """
            {"id":1,"targetId":"prod/tenant_1","name":"tenant_1","env":"prod","directory":"app","url":"sqlite://t1.db",
             "databaseId":"6a1c","status":"SYNCED","currentVersion":"20240721101205","targetVersion":"20240721101205",
             "lastSetId":"uuid-7","lastDeploymentAt":"2024-07-21T10:15:00Z","error":null}""";
    private static final String DATABASES = "{\"items\":[" + DB_1 + ",\n" + """
             {"id":2,"targetId":"prod/tenant_2","name":"tenant_2","env":"prod","directory":"app",
              "status":"PENDING","currentVersion":"20240720000000","error":null},
             {"id":13,"targetId":"staging/tenant_10","name":"tenant_10","env":"staging","directory":"billing",
              "status":"FAILED","currentVersion":null,"error":"sql/migrate: boom"}],
             "page":{"page":1,"pageSize":20,"total":3}}""";
    private static final String SETS = """
            {"items":[
             {"id":"uuid-7","seq":7,"env":"prod","directory":"app","tag":"latest","version":"20240721101205",
              "status":"FAILED","total":5,"succeeded":4,"failed":1,"targets":"4/5","completedAt":"2024-07-21T10:15:00Z"},
             {"id":"uuid-6","seq":6,"env":"staging","directory":"app","tag":"latest","version":"20240721101205",
              "status":"PASSED","total":1,"succeeded":1,"failed":0,"targets":"1/1"},
             {"id":"uuid-5","seq":5,"env":"prod","directory":"app","tag":"v1","version":"20240720000000",
              "status":"NO_ACTION","total":5,"succeeded":5,"failed":0,"targets":"5/5"}],
             "page":{"page":1,"pageSize":20,"total":3}}""";
    private static final String SET_6 = """
            {"id":"uuid-6","seq":6,"env":"staging","directory":"app","version":"20240721101205","status":"PASSED",
             "total":1,"succeeded":1,"failed":0,
             "targets":[{"targetId":"staging/tenant_1","targetName":"tenant_1","status":"PASSED"}],
             "targetsPage":{"page":1,"pageSize":1,"total":1}}""";
    private static final String SET_7_PAGE_1 = """
            {"id":"uuid-7","seq":7,"env":"prod","directory":"app","version":"20240721101205","status":"FAILED",
             "total":5,"succeeded":4,"failed":1,"completedAt":"2024-07-21T10:15:00Z",
             "targets":[{"targetId":"prod/tenant_1","targetName":"tenant_1","status":"PASSED"},
              {"targetId":"prod/tenant_2","targetName":"tenant_2","status":"NO_ACTION"},
              {"targetId":"prod/tenant_3","targetName":"tenant_3","status":"FAILED",
               "error":"sql/migrate: executing statement \\"ALTER TABLE users ADD COLUMN age int;\\" from version \\"20240721101205\\": duplicate column name: age"}],
             "targetsPage":{"page":1,"pageSize":500,"total":5}}""";
    private static final String SET_7_PAGE_2 = """
            {"id":"uuid-7","seq":7,"status":"FAILED","total":5,"succeeded":4,"failed":1,
             "targets":[{"targetId":"prod/tenant_4","targetName":"tenant_4","status":"PASSED"},
              {"targetId":"prod/tenant_5","targetName":"tenant_5","status":"FAILED","error":null,"errorCode":"LOCK_TIMEOUT"}],
             "targetsPage":{"page":2,"pageSize":500,"total":5}}""";

    @RegisterExtension
    final FakeFlotilla server = new FakeFlotilla();


    @Test
    void databaseListPrintsAlignedColumnsAndThePagingFooter() {
        server.json("GET", "/api/v1/databases", 200, DATABASES);

        CliRun r = CliRun.of("cloud", "database", "list", "--url", server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(""
                + "ID  REPO     NAME       ENV      STATUS   CURRENT VERSION\n"
                + "1   app      tenant_1   prod     SYNCED   20240721101205\n"
                + "2   app      tenant_2   prod     PENDING  20240720000000\n"
                + "13  billing  tenant_10  staging  FAILED   -\n"
                + "--------------------------------\n"
                + "Page: 1 Page Size: 20 Total: 3\n");
        assertThat(server.requests().get(0).query()).isEqualTo("page=1&pageSize=20");
    }

    @Test
    void databaseListPassesFiltersAndPageToTheServer() {
        server.json("GET", "/api/v1/databases", 200, "{\"items\":[],\"page\":{\"page\":3,\"pageSize\":20,\"total\":41}}");

        CliRun r = CliRun.of("cloud", "database", "list", "--url", server.url(), "--env-name", "prod", "--status",
                "failed", "--name", "tenant 1", "--repo", "app", "--page", "3");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(server.requests().get(0).query())
                .isEqualTo("status=FAILED&env=prod&directory=app&name=tenant%201&page=3&pageSize=20");
        assertThat(r.out()).isEqualTo("ID  REPO  NAME  ENV  STATUS  CURRENT VERSION\n"
                + "--------------------------------\nPage: 3 Page Size: 20 Total: 41\n");
    }

    @Test
    void formatJsonPrintsTheServerJsonForBothSpellings() throws IOException {
        server.json("GET", "/api/v1/databases", 200, DATABASES);
        ObjectMapper mapper = new ObjectMapper();

        for (String format : new String[] {"json", "{{ json . }}"}) {
            CliRun r = CliRun.of("cloud", "database", "list", "--url", server.url(), "--format", format);

            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(mapper.readTree(r.out())).isEqualTo(mapper.readTree(DATABASES));
        }
    }

    @Test
    void unknownFormatIsAUsageErrorAndSendsNoRequest() {
        CliRun r = CliRun.of("cloud", "migration", "list", "--url", server.url(), "--format", "yaml");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("unsupported --format \"yaml\"");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void databaseDescribePrintsKeyValueLinesAndEncodesTheTargetId() {
        server.json("GET", "/api/v1/databases/prod%2Ftenant_1", 200, DB_1);

        CliRun r = CliRun.of("cloud", "database", "describe", "--id", "prod/tenant_1", "--url", server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(""
                + "ID                    1\n"
                + "Name                  tenant_1\n"
                + "Environment           prod\n"
                + "Status                SYNCED\n"
                + "Current Version       20240721101205\n"
                + "Last Deployment Time  2024-07-21T10:15:00Z\n");
    }

    @Test
    void unknownDatabaseExitsWithTheServersMessage() {
        server.json("GET", "/api/v1/databases/99", 404, "{\"error\":\"database \\\"99\\\" not found\",\"code\":\"NOT_FOUND\"}");

        CliRun r = CliRun.of("cloud", "database", "describe", "--id", "99", "--url", server.url());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Error: database \"99\" not found\n");
    }

    @Test
    void migrationListShowsMultipleOrTheSingleTargetsName() {
        server.json("GET", "/api/v1/deployment-sets", 200, SETS)
                .json("GET", "/api/v1/deployment-sets/uuid-6", 200, SET_6);

        CliRun r = CliRun.of("cloud", "migration", "list", "--url", server.url(), "--status", "failed");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(""
                + "ID  REPO  TYPE                 ENV      DATABASE    TARGETS  VERSION         STATUS\n"
                + "7   app   MIGRATION_DIRECTORY  prod     (multiple)  4/5      20240721101205  FAILED\n"
                + "6   app   MIGRATION_DIRECTORY  staging  tenant_1    -        20240721101205  PASSED\n"
                + "5   app   MIGRATION_DIRECTORY  prod     (multiple)  5/5      20240720000000  NO_ACTION\n"
                + "--------------------------------\n"
                + "Page: 1 Page Size: 20 Total: 3\n");
        assertThat(server.requests("GET", "/api/v1/deployment-sets").get(0).query())
                .isEqualTo("status=FAILED&page=1&pageSize=20");
        assertThat(server.requests("GET", "/api/v1/deployment-sets/uuid-6").get(0).query())
                .isEqualTo("page=1&pageSize=1");
        assertThat(server.requests("GET", "/api/v1/deployment-sets/uuid-7")).isEmpty();
    }

    @Test
    void migrationListNameKeepsSetsWithAMatchingTarget() {
        server.json("GET", "/api/v1/deployment-sets", 200, SETS)
                .json("GET", "/api/v1/deployment-sets/uuid-7", 200, SET_7_PAGE_1)
                .json("GET", "/api/v1/deployment-sets/uuid-6", 200, SET_6)
                .json("GET", "/api/v1/deployment-sets/uuid-5", 200, SET_6.replace("uuid-6", "uuid-5")
                        .replace("\"total\":1,", "\"total\":5,"));

        CliRun r = CliRun.of("cloud", "migration", "list", "--url", server.url(), "--name", "TENANT_3",
                "--env-name", "prod", "--repo", "app");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("ID  REPO  TYPE                 ENV   DATABASE    TARGETS  VERSION         STATUS\n"
                + "7   app   MIGRATION_DIRECTORY  prod  (multiple)  4/5      20240721101205  FAILED\n----");
        assertThat(server.requests("GET", "/api/v1/deployment-sets").get(0).query())
                .isEqualTo("env=prod&directory=app&name=TENANT_3&page=1&pageSize=20");
    }

    @Test
    void migrationDescribeReadsEveryTargetPageAndListsTheFailedOnes() {
        server.json("GET", "/api/v1/deployment-sets/7", 200, SET_7_PAGE_1)
                .json("GET", "/api/v1/deployment-sets/7", 200, SET_7_PAGE_2);

        CliRun r = CliRun.of("cloud", "migration", "describe", "--id", "7", "--url", server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(""
                + "ID            7\n"
                + "Repository    app\n"
                + "Type          MIGRATION_DIRECTORY\n"
                + "Database      (multiple)\n"
                + "Version       20240721101205\n"
                + "Status        FAILED\n"
                + "Completed At  2024-07-21T10:15:00Z\n"
                + "Targets       4/5 succeeded\n"
                + "tenant_3      Error: sql/migrate: executing statement \"ALTER TABLE users ADD COLUMN age int;\""
                + " from version \"20240721101205\": duplicate column name: age\n"
                + "tenant_5      Error: deployment failed (LOCK_TIMEOUT)\n");
        assertThat(server.requests().stream().map(FakeFlotilla.Request::query))
                .containsExactly("page=1&pageSize=500", "page=2&pageSize=500");
    }

    @Test
    void aPageWithSkippedTargetsGainsASkippedColumnAndTheRolloutsState() {
        server.json("GET", "/api/v1/deployment-sets", 200, """
                {"items":[
                 {"id":"uuid-8","seq":8,"env":"prod","directory":"app","version":"20240721101205","status":"PAUSED",
                  "state":"PAUSED","total":5,"succeeded":2,"failed":0,"skipped":1,"targets":"2/5"}],
                 "page":{"page":1,"pageSize":20,"total":1}}""");

        CliRun r = CliRun.of("cloud", "migration", "list", "--url", server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith(""
                + "ID  REPO  TYPE                 ENV   DATABASE    TARGETS  VERSION         STATUS  SKIPPED\n"
                + "8   app   MIGRATION_DIRECTORY  prod  (multiple)  2/5      20240721101205  PAUSED  1\n----");
    }

    @Test
    void describeOfAPausedSetSaysWhyAndListsTheSkippedTargets() {
        server.json("GET", "/api/v1/deployment-sets/8", 200, """
                {"id":"uuid-8","seq":8,"env":"prod","directory":"app","version":"20240721101205","status":"PAUSED",
                 "state":"PAUSED","reason":"paused: 3 of 10 failed in group canary","actor":"alice",
                 "stoppedGroups":["canary"],"total":3,"succeeded":1,"failed":0,"skipped":1,
                 "targets":[{"targetId":"prod/tenant_1","targetName":"tenant_1","status":"PASSED"},
                  {"targetId":"prod/tenant_2","targetName":"tenant_2","status":"SKIPPED","errorCode":"OPERATOR",
                   "error":"skipped by alice: offboarding"},
                  {"targetId":"prod/tenant_3","targetName":"tenant_3","status":"QUEUED","errorCode":"SET_PAUSED"}],
                 "targetsPage":{"page":1,"pageSize":500,"total":3}}""");

        CliRun r = CliRun.of("cloud", "migration", "describe", "--id", "8", "--url", server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(""
                + "ID              8\n"
                + "Repository      app\n"
                + "Type            MIGRATION_DIRECTORY\n"
                + "Database        (multiple)\n"
                + "Version         20240721101205\n"
                + "Status          PAUSED\n"
                + "Completed At    -\n"
                + "Targets         1/3 succeeded\n"
                + "Skipped         1/3\n"
                + "Reason          paused: 3 of 10 failed in group canary (alice)\n"
                + "Stopped Groups  canary\n"
                + "tenant_2        Skipped: skipped by alice: offboarding\n");
    }

    @Test
    void aPageWithADatabaseBehindGainsABehindColumn() {
        server.json("GET", "/api/v1/databases", 200, """
                {"items":[
                 {"id":1,"name":"tenant_1","env":"prod","directory":"app","status":"SYNCED",
                  "currentVersion":"3","versionsBehind":0},
                 {"id":2,"name":"tenant_2","env":"prod","directory":"app","status":"PENDING",
                  "currentVersion":"1","versionsBehind":2}],
                 "page":{"page":1,"pageSize":20,"total":2}}""");

        CliRun r = CliRun.of("cloud", "database", "list", "--url", server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith(""
                + "ID  REPO  NAME      ENV   STATUS   CURRENT VERSION  BEHIND\n"
                + "1   app   tenant_1  prod  SYNCED   3                0\n"
                + "2   app   tenant_2  prod  PENDING  1                2\n----");
    }

    @Test
    void aSetThatCouldNotBePlannedShowsWhy() {
        server.json("GET", "/api/v1/deployment-sets/9", 200, """
                {"id":"uuid-9","seq":9,"env":"prod","directory":"app","version":"20240721101205","status":"FAILED",
                 "total":0,"succeeded":0,"failed":0,"completedAt":"2024-07-21T10:15:00Z",
                 "error":"gave up after 10 attempts: cannot connect; last error: atlas.hcl:1: data \\"sql\\" \\"tenants\\": cannot connect",
                 "targets":[],"targetsPage":{"page":1,"pageSize":500,"total":0}}""");

        CliRun r = CliRun.of("cloud", "migration", "describe", "--id", "9", "--url", server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("Status        FAILED\n").contains("Targets       0/0 succeeded\n")
                .contains("Error         gave up after 10 attempts: cannot connect; last error: atlas.hcl:1: data"
                        + " \"sql\" \"tenants\": cannot connect\n");
    }

    @Test
    void migrationDescribeJsonHoldsAllTargets() throws IOException {
        server.json("GET", "/api/v1/deployment-sets/7", 200, SET_7_PAGE_1)
                .json("GET", "/api/v1/deployment-sets/7", 200, SET_7_PAGE_2);

        CliRun r = CliRun.of("cloud", "migration", "describe", "--id", "7", "--url", server.url(), "--format", "json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(new ObjectMapper().readTree(r.out()).path("targets").size()).isEqualTo(5);
    }

    @Test
    void serverDownNamesTheUrlAndSaysToStartFlotillaDev() throws IOException {
        String down = "http://127.0.0.1:" + TestPorts.free();

        CliRun r = CliRun.of("cloud", "migration", "list", "--url", down);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Error: cannot reach Flotilla at " + down
                + ": is 'flotilla dev' running? set --url or FLOTILLA_URL\n");
    }
}
