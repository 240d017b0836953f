package dev.flotilla.cli;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

/** Where the client points, and how server errors become {@link FlotillaException}s. */
class ApiClientTest {
    @RegisterExtension
    final FakeFlotilla server = new FakeFlotilla();


    @Test
    void baseUrlComesFromTheOptionThenFlotillaUrlThenTheDefault() {
        Map<String, String> env = Map.of("FLOTILLA_URL", "http://flotilla.internal:9000/");

        assertThat(ApiClient.resolve("https://x.example/", env, "--url")).isEqualTo("https://x.example");
        assertThat(ApiClient.resolve(null, env, "--url")).isEqualTo("http://flotilla.internal:9000");
        assertThat(ApiClient.resolve(" ", Map.of(), "--url")).isEqualTo("http://localhost:8080");
    }

    @Test
    void aUrlThatIsNotHttpNamesWhereItCameFrom() {
        assertThatThrownBy(() -> ApiClient.resolve(null, Map.of("FLOTILLA_URL", "localhost:8080"), "--url"))
                .isInstanceOf(FlotillaException.class)
                .hasMessage("FLOTILLA_URL \"localhost:8080\" is not the URL of a Flotilla server; write it like"
                        + " http://localhost:8080");
    }

    @Test
    void errorCodeComesFromTheAnswerWhenItNamesOne() {
        server.json("GET", "/a", 422, "{\"error\":\"statement failed\",\"code\":\"STATEMENT_FAILED\"}")
                .json("GET", "/b", 400, "{\"error\":\"bad page\",\"code\":\"SOMETHING_NEW\"}");
        ApiClient api = ApiClient.connect(server.url(), "--url", null);

        assertThatThrownBy(() -> api.getJson("/a")).hasMessage("statement failed")
                .asInstanceOf(type(FlotillaException.class)).extracting(FlotillaException::code)
                .isEqualTo(ErrorCode.STATEMENT_FAILED);
        assertThatThrownBy(() -> api.getJson("/b")).hasMessage("bad page")
                .asInstanceOf(type(FlotillaException.class)).extracting(FlotillaException::code)
                .isEqualTo(ErrorCode.CONFIG_INVALID);
    }

    @Test
    void anAnswerThatIsNotJsonIsQuoted() {
        server.bytes("GET", "/c", "text/html", "<h1>Bad gateway</h1>".getBytes(StandardCharsets.UTF_8),
                Map.of());
        server.json("GET", "/d", 502, "<h1>Bad gateway</h1>");
        ApiClient api = ApiClient.connect(server.url(), "--url", null);

        assertThatThrownBy(() -> api.getJson("/d")).isInstanceOf(FlotillaException.class)
                .hasMessage("Flotilla at " + server.url() + " answered HTTP 502 to GET /d: <h1>Bad gateway</h1>");
        assertThatThrownBy(() -> api.getJson("/c")).isInstanceOf(FlotillaException.class)
                .hasMessageContaining("answered with invalid JSON");
    }

    @Test
    void theTokenComesFromTheOptionThenFlotillaTokenThenTheDevTokenFile(@TempDir Path tmp) throws Exception {
        Path devFile = tmp.resolve("admin.token");
        Map<String, String> env = Map.of("FLOTILLA_TOKEN", " flt_from_env ");

        assertThat(ApiClient.token("flt_explicit", env, devFile)).isEqualTo("flt_explicit");
        assertThat(ApiClient.token(null, env, devFile)).isEqualTo("flt_from_env");
        assertThat(ApiClient.token(null, Map.of(), devFile)).as("no file yet").isNull();
        Files.writeString(devFile, "flt_from_dev_file\n");
        assertThat(ApiClient.token(" ", Map.of(), devFile)).isEqualTo("flt_from_dev_file");
    }

    @Test
    void theTokenIsSentAsABearerTokenOnEveryRequest() {
        server.json("GET", "/api/v1/databases", 200, "{\"items\":[],\"page\":{\"page\":1,\"pageSize\":20,\"total\":0}}");

        ApiClient.connect(server.url(), "--url", "flt_abc").getJson("/api/v1/databases");

        assertThat(server.requests().get(0).authorization()).isEqualTo("Bearer flt_abc");
    }

    @Test
    void aRefusalWithoutATokenSaysWhereATokenComesFrom() {
        server.json("GET", "/api/v1/tokens", 401, "{\"error\":\"this request needs an API token with scope admin\","
                + "\"code\":\"UNAUTHENTICATED\"}");

        assertThatThrownBy(() -> ApiClient.connect(server.url(), "--url", null).getJson("/api/v1/tokens"))
                .hasMessageContaining("needs an API token with scope admin")
                .hasMessageContaining("no token was sent: pass --token, set FLOTILLA_TOKEN");
    }

    @Test
    void aQuotedAnswerIsRedactedBeforeItIsCut() {
        server.json("GET", "/e", 502, "x".repeat(185) + " postgres://app:s3cret-long-password@db:5432/tenant");

        assertThatThrownBy(() -> ApiClient.connect(server.url(), "--url", null).getJson("/e"))
                .hasMessageNotContaining("s3cret").hasMessageNotContaining("s3c").hasMessageEndingWith("...");
    }

    @Test
    void queryLeavesOutMissingValuesAndEncodes() {
        assertThat(ApiClient.query("a", null, "b", "x y/z", "c", "1")).isEqualTo("?b=x%20y%2Fz&c=1");
        assertThat(ApiClient.query("a", null)).isEmpty();
    }
}
