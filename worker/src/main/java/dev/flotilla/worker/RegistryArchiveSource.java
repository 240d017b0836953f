package dev.flotilla.worker;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * {@link ArchiveSource} over the registry's HTTP API. 404 means the registry does not hold the
 * version; 401 and 403 mean the worker's token is wrong (permanent: retrying cannot fix it); no
 * answer, a timeout, 408, 429 and 5xx mean the registry cannot serve it now (worth retrying).
 */
final class RegistryArchiveSource implements ArchiveSource {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_ERROR_CHARS = 300;

    private final Supplier<String> baseUrl;
    private final String token;
    private final Duration timeout;
    private final HttpClient http;

    RegistryArchiveSource(Supplier<String> baseUrl, String token, Duration timeout) {
        this.baseUrl = baseUrl;
        this.token = token;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .build();
    }

    @Override
    public String describe() {
        String base = baseUrl.get();
        return "the registry at " + (base == null ? "(address not known yet)" : base);
    }

    @Override
    public Optional<byte[]> read(String directory, String versionId) throws InterruptedException {
        String base = baseUrl.get();
        if (base == null) {
            throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "the registry's address is not known yet");
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.replaceAll("/+$", "") + "/api/v1/versions/"
                + versionId)).timeout(timeout).header("accept", "application/x-tar").GET();
        if (token != null) {
            b.header("authorization", "Bearer " + token);
        }
        return answer(base, versionId, send(base, versionId, b.build()));
    }

    /** The whole answer, body included, within {@link #timeout}; a request that outlasts it is cancelled. */
    private HttpResponse<byte[]> send(String base, String versionId, HttpRequest request) throws InterruptedException {
        CompletableFuture<HttpResponse<byte[]>> f = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "the registry at " + base + " did not send"
                    + " directory version " + versionId + " within " + timeout.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "cannot reach the registry at " + base + " ("
                    + reason(cause) + "); check --registry-url and that the registry is up", cause);
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        }
    }

    private static Optional<byte[]> answer(String base, String versionId, HttpResponse<byte[]> r) {
        int status = r.statusCode();
        if (status == 200) {
            return Optional.of(r.body());
        }
        if (status == 404) {
            return Optional.empty();
        }
        String said = "the registry at " + base + " answered " + status + " for directory version " + versionId + ": "
                + error(r.body());
        if (status == 408 || status == 429 || status >= 500) {
            throw new FlotillaException(ErrorCode.CONNECTION_FAILED, said);
        }
        if (status == 401 || status == 403) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, said + "; give the worker a token with scope deploy"
                    + " in FLOTILLA_WORKER_TOKEN (flotilla token create --name worker --scope deploy)");
        }
        throw new FlotillaException(ErrorCode.CONFIG_INVALID, said);
    }

    private static String error(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return text.length() > MAX_ERROR_CHARS ? text.substring(0, MAX_ERROR_CHARS) + "…" : text;
    }

    /** What went wrong, in words: the JDK's HTTP client often has only an exception type to say it with. */
    private static String reason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.net.ConnectException) {
                return "connection refused";
            }
            if (c instanceof java.nio.channels.UnresolvedAddressException || c instanceof java.net.UnknownHostException) {
                return "unknown host";
            }
            if (c.getMessage() != null) {
                return c.getMessage();
            }
        }
        return t.getClass().getSimpleName();
    }
}
