package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.url.DatabaseUrl;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP API of a Flotilla server ({@code flotilla dev}), as the CLI uses it: JSON in and out, tar
 * archives for the registry. Every non-2xx answer becomes a {@link FlotillaException} carrying the
 * server's {@code error} text and, when {@code code} names one, its {@link ErrorCode}.
 */
final class ApiClient {
    static final String DEFAULT_URL = "http://localhost:8080";
    static final String ENV_VAR = "FLOTILLA_URL";
    static final String TOKEN_ENV_VAR = "FLOTILLA_TOKEN";
    /** Where {@code flotilla dev} leaves its admin token, relative to the directory it runs in. */
    static final Path DEV_TOKEN_FILE = Path.of(".flotilla", "admin.token");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);

    private final String base;
    private final String flag;
    private final String token;
    private final HttpClient http;

    private ApiClient(String base, String flag, String token) {
        this.base = base;
        this.flag = flag;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    /**
     * A client for the server named by {@code explicit}, else {@code $FLOTILLA_URL}, else the default,
     * sending the token {@link #token} finds.
     *
     * @param explicit the value of the command's server option, or null
     * @param flag     that option's name, used in messages that tell how to point elsewhere
     * @param explicitToken the value of {@code --token}, or null
     */
    static ApiClient connect(String explicit, String flag, String explicitToken) {
        return new ApiClient(resolve(explicit, System.getenv(), flag), flag,
                token(explicitToken, System.getenv(), DEV_TOKEN_FILE));
    }

    /**
     * The API token to send: {@code --token}, else {@code $FLOTILLA_TOKEN}, else the admin token that
     * {@code flotilla dev} wrote in {@code devTokenFile}; null when there is none.
     */
    static String token(String explicit, Map<String, String> env, Path devTokenFile) {
        if (!blank(explicit)) {
            return explicit.trim();
        }
        if (!blank(env.get(TOKEN_ENV_VAR))) {
            return env.get(TOKEN_ENV_VAR).trim();
        }
        try {
            return Files.isReadable(devTokenFile) ? Files.readString(devTokenFile).trim() : null;
        } catch (IOException e) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "cannot read the dev admin token "
                    + devTokenFile.toAbsolutePath() + ": " + e.getMessage() + "; pass --token or set " + TOKEN_ENV_VAR);
        }
    }

    /**
     * The server base URL, without trailing slash: {@code explicit}, else {@code FLOTILLA_URL} in
     * {@code env}, else the default.
     */
    static String resolve(String explicit, Map<String, String> env, String flag) {
        String url = explicit;
        String from = flag;
        if (blank(url)) {
            url = env.get(ENV_VAR);
            from = ENV_VAR;
        }
        if (blank(url)) {
            return DEFAULT_URL;
        }
        url = url.trim();
        String lower = url.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, from + " \"" + url + "\" is not the URL of a"
                    + " Flotilla server; write it like " + DEFAULT_URL);
        }
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        return url;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** The server base URL, e.g. {@code http://localhost:8080}. */
    String base() {
        return base;
    }

    /** {@code path} (absolute, e.g. {@code /dirs/app}) or an absolute URL, as a full URL on this server. */
    String link(String path) {
        return path.startsWith("http://") || path.startsWith("https://") ? path : base + path;
    }

    JsonNode getJson(String path) {
        return AtlasJson.read(send("GET", path, request(path).GET()).body());
    }

    JsonNode postJson(String path, Object body) {
        HttpRequest.Builder b = request(path).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(AtlasJson.write(body), StandardCharsets.UTF_8));
        return AtlasJson.read(send("POST", path, b).body());
    }

    JsonNode deleteJson(String path) {
        return AtlasJson.read(send("DELETE", path, request(path).DELETE()).body());
    }

    /** POSTs raw bytes; returns the status (so callers can tell 201 from 200) and the JSON answer. */
    Reply postBytes(String path, byte[] body, String contentType) {
        HttpRequest.Builder b = request(path).header("content-type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<byte[]> r = send("POST", path, b);
        return new Reply(r.statusCode(), AtlasJson.read(r.body()));
    }

    byte[] getBytes(String path) {
        return send("GET", path, request(path).GET()).body();
    }

    /** A 2xx answer: its status and JSON body. */
    record Reply(int status, JsonNode body) {
    }

    /**
     * The server could not be asked: no connection, no answer, or a 5xx answer. Unlike a refusal
     * (4xx), another source may stand in for it, such as a backup repository.
     */
    static final class Unavailable extends FlotillaException {
        private static final long serialVersionUID = 1L;

        Unavailable(ErrorCode code, String message, Throwable cause) {
            super(code, message, cause);
        }
    }

    /** {@code s} encoded for a path segment or a query value. */
    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code ?k1=v1&k2=v2} from name/value pairs, leaving out null values; the empty string when none is left. */
    static String query(String... pairs) {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                q.append(q.length() == 0 ? '?' : '&').append(pairs[i]).append('=').append(encode(pairs[i + 1]));
            }
        }
        return q.toString();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT)
                .header("accept", "application/json");
        return token == null ? b : b.header("authorization", "Bearer " + token);
    }

    private HttpResponse<byte[]> send(String method, String path, HttpRequest.Builder request) {
        HttpResponse<byte[]> r;
        try {
            r = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw unreachable(method, path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "interrupted while waiting for Flotilla at "
                    + base + " to answer " + method + " " + path, e);
        }
        if (r.statusCode() >= 400) {
            throw failure(method, path, r.statusCode(), r.body());
        }
        return r;
    }

    /** The server's {@code {error, code}} answer as an exception; a body that is not such JSON is quoted. */
    FlotillaException failure(String method, String path, int status, byte[] body) {
        JsonNode json = AtlasJson.readOrNull(body);
        String error = json == null ? null : json.path("error").asText(null);
        if (status == 401 && token == null) {
            error = (error == null ? "" : error + "; ") + "no token was sent: pass --token, set " + TOKEN_ENV_VAR
                    + ", or run the command where 'flotilla dev' keeps " + DEV_TOKEN_FILE;
        }
        if (error == null || error.isBlank()) {
            String text = DatabaseUrl.redact(new String(body, StandardCharsets.UTF_8).strip()); // before cutting
            error = "Flotilla at " + base + " answered HTTP " + status + " to " + method + " " + path
                    + (text.isEmpty() ? "" : ": " + (text.length() > 200 ? text.substring(0, 200) + "..." : text));
        }
        ErrorCode code = code(json == null ? null : json.path("code").asText(null));
        return status >= 500 ? new Unavailable(code, error, null) : new FlotillaException(code, error);
    }

    private static ErrorCode code(String name) {
        if (name != null) {
            for (ErrorCode c : ErrorCode.values()) {
                if (c.name().equals(name)) {
                    return c;
                }
            }
        }
        return ErrorCode.CONFIG_INVALID;
    }

    private Unavailable unreachable(String method, String path, IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return new Unavailable(ErrorCode.CONNECTION_FAILED, "cannot reach Flotilla at " + base
                        + ": is 'flotilla dev' running? set " + flag + " or " + ENV_VAR, e);
            }
        }
        return new Unavailable(ErrorCode.CONNECTION_FAILED, "Flotilla at " + base + " did not answer " + method
                + " " + path + " (" + e + "): is 'flotilla dev' running? set " + flag + " or " + ENV_VAR, e);
    }
}
