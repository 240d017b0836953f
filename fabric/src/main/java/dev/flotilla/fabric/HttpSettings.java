package dev.flotilla.fabric;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who the HTTP API answers.
 *
 * @param allowedHosts the host names a request's {@code Host} may carry (lower case, without port);
 *     {@code *} allows any. Stops DNS rebinding: a browser tricked into sending its requests to
 *     this server still sends the attacker's host name.
 * @param allowedOrigins origins ({@code https://ops.example.com}) besides the server's own whose
 *     pages may send requests that change something
 * @param metricsToken when set, {@code /metrics} needs {@code Authorization: Bearer <it>} (or an API
 *     token with scope read); when null, {@code /metrics} is open
 * @param bootstrapToken an admin token to store at start if absent (the first token of a new
 *     installation, from {@code FLOTILLA_ADMIN_TOKEN}); null for none
 * @param workerToken a token with scope deploy to store at start if absent, for workers to fetch
 *     directory versions with (from {@code FLOTILLA_WORKER_TOKEN}, so that docker-compose and
 *     Kubernetes can hand the same secret to the registry and its workers); null for none
 */
public record HttpSettings(Set<String> allowedHosts, Set<String> allowedOrigins, String metricsToken,
        String bootstrapToken, String workerToken) {
    /** Host names every server answers to: the loopback ones. */
    public static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "::1", "[::1]");

    public HttpSettings {
        allowedHosts = allowedHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        allowedOrigins = Set.copyOf(allowedOrigins);
    }

    /** Settings without a bootstrap worker token. */
    public HttpSettings(Set<String> allowedHosts, Set<String> allowedOrigins, String metricsToken,
            String bootstrapToken) {
        this(allowedHosts, allowedOrigins, metricsToken, bootstrapToken, null);
    }

    /** Loopback names plus {@code extraHosts} (a bind address other than a wildcard counts too). */
    public static HttpSettings of(List<String> extraHosts, List<String> allowedOrigins, String metricsToken,
            String bootstrapToken) {
        return of(extraHosts, allowedOrigins, metricsToken, bootstrapToken, null);
    }

    /** As {@link #of(List, List, String, String)}, storing {@code workerToken} (scope deploy) too when not null. */
    public static HttpSettings of(List<String> extraHosts, List<String> allowedOrigins, String metricsToken,
            String bootstrapToken, String workerToken) {
        Set<String> hosts = new java.util.HashSet<>(LOOPBACK);
        extraHosts.stream().filter(h -> !h.equals("0.0.0.0") && !h.equals("::")).forEach(hosts::add);
        return new HttpSettings(hosts, Set.copyOf(allowedOrigins), metricsToken, bootstrapToken, workerToken);
    }

    /** Loopback only, /metrics open, no bootstrap token: tests and the default of {@code flotilla dev}. */
    public static HttpSettings loopback() {
        return of(List.of(), List.of(), null, null);
    }

    boolean hostAllowed(String hostName) {
        return allowedHosts.contains("*") || hostName != null && allowedHosts.contains(hostName.toLowerCase(Locale.ROOT));
    }
}
