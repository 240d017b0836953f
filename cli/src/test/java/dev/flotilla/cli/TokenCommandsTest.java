package dev.flotilla.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code flotilla token …} and {@code flotilla audit list} against a canned server. */
class TokenCommandsTest {
    private static final String TOKEN = "flt_" + "a".repeat(46);
    private static final String CREATED = "{\"id\":7,\"name\":\"ci\",\"scopes\":[\"push:app\",\"read\"],\"hint\":\"flt_aaaa…\","
            + "\"createdAt\":\"2026-12-06T10:00:00Z\",\"createdBy\":\"dev-admin-1a2b3c4d\",\"lastUsedAt\":null,"
            + "\"revokedAt\":null,\"status\":\"ACTIVE\",\"token\":\"" + TOKEN + "\"}";

    @RegisterExtension
    final FakeFlotilla server = new FakeFlotilla();

    @Test
    void createSendsNameAndScopesAndPrintsTheTokenOnceWithAWarning() {
        server.json("POST", "/api/v1/tokens", 201, CREATED);

        CliRun r = CliRun.of("token", "create", "--name", "ci", "--scope", "push:app", "--scope", "read", "--url",
                server.url(), "--token", "flt_admin");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("Token 7 (ci, push:app read):\n" + TOKEN + "\n"
                + "Store it now: it is shown only once. Use it with --token or FLOTILLA_TOKEN.\n");
        FakeFlotilla.Request post = server.requests().get(0);
        assertThat(post.bodyText()).isEqualTo("{\"name\":\"ci\",\"scopes\":[\"push:app\",\"read\"]}");
        assertThat(post.authorization()).isEqualTo("Bearer flt_admin");
        assertThat(post.contentType()).isEqualTo("application/json");
    }

    @Test
    void aScopeThatDoesNotParseIsRefusedBeforeAnyRequest() {
        CliRun r = CliRun.of("token", "create", "--name", "ci", "--scope", "write", "--url", server.url());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("unknown scope \"write\"", "read, push[:DIR,…], deploy[:ENV,…] and admin");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void listShowsEveryTokenWithoutItsText() {
        server.json("GET", "/api/v1/tokens", 200, "{\"items\":[" + CREATED.replace(",\"token\":\"" + TOKEN + "\"", "")
                + ",{\"id\":1,\"name\":\"dev-admin-1a2b3c4d\",\"scopes\":[\"admin\"],\"hint\":\"flt_Zz9x…\","
                + "\"createdAt\":\"2026-12-06T09:00:00Z\",\"createdBy\":\"bootstrap\","
                + "\"lastUsedAt\":\"2026-12-06T10:01:00Z\",\"revokedAt\":null,\"status\":\"ACTIVE\"}]}");

        CliRun r = CliRun.of("token", "list", "--url", server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(""
                + "ID  NAME                SCOPES         TOKEN      CREATED               LAST USED             STATUS\n"
                + "7   ci                  push:app read  flt_aaaa…  2026-12-06T10:00:00Z  -                     ACTIVE\n"
                + "1   dev-admin-1a2b3c4d  admin          flt_Zz9x…  2026-12-06T09:00:00Z  2026-12-06T10:01:00Z  ACTIVE\n");
        assertThat(r.out()).doesNotContain(TOKEN);
    }

    @Test
    void revokeNamesTheTokenItRevoked() {
        server.json("DELETE", "/api/v1/tokens/ci", 200, CREATED.replace(",\"token\":\"" + TOKEN + "\"", "")
                .replace("\"ACTIVE\"", "\"REVOKED\"").replace("\"revokedAt\":null", "\"revokedAt\":\"2026-12-06T11:00:00Z\""));

        CliRun r = CliRun.of("token", "revoke", "ci", "--url", server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("Token 7 (ci) revoked\n");
    }

    @Test
    void revokingAnUnknownTokenSaysHowToFindOne() {
        server.json("DELETE", "/api/v1/tokens/nope", 404, "{\"error\":\"no active token has number or name \\\"nope\\\";"
                + " 'flotilla token list' shows them\",\"code\":\"NOT_FOUND\"}");

        CliRun r = CliRun.of("token", "revoke", "nope", "--url", server.url());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("'flotilla token list' shows them");
    }

    @Test
    void generatePrintsAWellFormedTokenAndSendsNothing() {
        CliRun r = CliRun.of("token", "generate");

        assertThat(r.exitCode()).isZero();
        assertThat(dev.flotilla.fabric.access.Tokens.wellFormed(r.out().trim())).isTrue();
    }

    @Test
    void auditListPrintsWhoDidWhatNewestFirstAndPassesFilters() {
        server.json("GET", "/api/v1/audit", 200, "{\"items\":[{\"seq\":12,\"at\":\"2026-12-06T10:05:00Z\","
                + "\"actor\":\"ci\",\"action\":\"directory.push\",\"object\":\"app:v2\",\"outcome\":\"ok\","
                + "\"source\":\"10.0.0.7\",\"detail\":\"version 3f0c\"}]}");

        CliRun r = CliRun.of("audit", "list", "--actor", "ci", "--url", server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(""
                + "SEQ  TIME                  ACTOR  ACTION          OBJECT  OUTCOME  SOURCE    DETAIL\n"
                + "12   2026-12-06T10:05:00Z  ci     directory.push  app:v2  ok       10.0.0.7  version 3f0c\n");
        assertThat(server.requests().get(0).query()).isEqualTo("actor=ci&limit=50");
    }
}
