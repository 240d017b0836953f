package dev.flotilla.worker;

import com.sun.net.httpserver.HttpServer;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How the worker reads the registry's answers: the archive on 200, "not there" on 404, a refusal
 * for good on 401 and 403 (the token is wrong), "try again" on 5xx and when nothing answers; the
 * token goes in the Authorization header and nowhere else.
 */
class RegistryArchiveSourceTest {
    private static final String ID = "a".repeat(64);

    private HttpServer server;
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/versions/", exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("authorization")));
            String id = exchange.getRequestURI().getPath().substring("/api/v1/versions/".length());
            int status = statuses.getOrDefault(id, 404);
            byte[] body = (status == 200 ? "archive of " + id : "{\"error\":\"said " + status + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private ArchiveSource source(String token) {
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        return ArchiveSource.registry(() -> base, token, Duration.ofSeconds(10));
    }

    @Test
    void aVersionTheRegistryHoldsIsReadWithTheTokenAsBearer() throws Exception {
        statuses.put(ID, 200);

        assertThat(source("flt_secret").read("app", ID)).hasValueSatisfying(b -> assertThat(new String(b,
                StandardCharsets.UTF_8)).isEqualTo("archive of " + ID));
        assertThat(authorizations).containsExactly("Bearer flt_secret");
    }

    @Test
    void aVersionTheRegistryDoesNotHoldIsEmpty() throws Exception {
        assertThat(source("flt_secret").read("app", ID)).isEmpty();
    }

    @Test
    void aRefusedTokenIsAPermanentConfigurationErrorThatNamesTheFixNotTheToken() {
        statuses.put(ID, 401);

        assertThatThrownBy(() -> source("flt_secret").read("app", ID))
                .isInstanceOfSatisfying(FlotillaException.class, e -> assertThat(e.code())
                        .isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("answered 401").hasMessageContaining("said 401")
                .hasMessageContaining("FLOTILLA_WORKER_TOKEN").hasMessageNotContaining("flt_secret");
        assertThat(DirectoryCache.classify(catchFailure(source("flt_secret"))).isTransient()).isFalse();
    }

    @Test
    void aRegistryInTroubleOrNotListeningIsWorthAnotherAttempt() throws Exception {
        statuses.put(ID, 503);
        FlotillaException busy = catchFailure(source("flt_secret"));
        assertThat(busy.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(DirectoryCache.classify(busy).isTransient()).isTrue();

        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        ArchiveSource nobody = ArchiveSource.registry(() -> "http://127.0.0.1:" + closed, "flt_secret",
                Duration.ofSeconds(10));
        FlotillaException refused = catchFailure(nobody);
        assertThat(refused.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(refused.getMessage()).contains("cannot reach the registry at http://127.0.0.1:" + closed);
        assertThat(DirectoryCache.classify(refused).isTransient()).isTrue();

        FlotillaException unknown = catchFailure(ArchiveSource.registry(() -> null, "t", Duration.ofSeconds(1)));
        assertThat(DirectoryCache.classify(unknown).isTransient()).as("an address not known yet").isTrue();
    }

    private static FlotillaException catchFailure(ArchiveSource s) {
        try {
            s.read("app", ID);
        } catch (FlotillaException e) {
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        throw new AssertionError("read succeeded");
    }
}
