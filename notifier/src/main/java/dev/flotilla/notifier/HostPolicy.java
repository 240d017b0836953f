package dev.flotilla.notifier;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Which URLs a webhook may have. Only {@code http} and {@code https}, with a host, without user
 * info or fragment. A webhook makes the notifier send requests wherever its URL points, from inside
 * the operator's network (server-side request forgery): an operator can name the only hosts allowed
 * ({@code FLOTILLA_WEBHOOK_ALLOW_HOSTS}) and hosts refused ({@code FLOTILLA_WEBHOOK_DENY_HOSTS}); a
 * pattern is a host name ({@code hooks.slack.com}), a suffix ({@code *.example.com}) or an IP address
 * as written in the URL. The check is on the URL's host as written, not on the address it resolves
 * to, and redirects are never followed.
 *
 * @param allow patterns of the only hosts allowed; empty: every host not denied
 * @param deny patterns of hosts refused
 */
public record HostPolicy(List<String> allow, List<String> deny) {
    public HostPolicy {
        allow = allow.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        deny = deny.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    }

    /** Any http(s) host. */
    public static HostPolicy any() {
        return new HostPolicy(List.of(), List.of());
    }

    /**
     * The URL, checked.
     *
     * @throws FlotillaException REQUEST_INVALID naming what is wrong, never echoing the URL's path or query
     */
    public URI check(String url) {
        URI u;
        try {
            u = new URI(url == null ? "" : url.trim());
        } catch (URISyntaxException e) {
            throw invalid("field \"url\" is not a URL; write it like https://hooks.example.com/flotilla");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid("field \"url\" must be an http or https URL, not " + (scheme.isEmpty() ? "a relative one"
                    : scheme + ":"));
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            throw invalid("field \"url\" has no host; write it like https://hooks.example.com/flotilla");
        }
        if (u.getRawUserInfo() != null || u.getRawFragment() != null) {
            throw invalid("field \"url\" may not carry user info or a fragment; sign deliveries with a secret instead");
        }
        String host = host(u);
        if (deny.stream().anyMatch(p -> matches(p, host)) || !allow.isEmpty() && allow.stream()
                .noneMatch(p -> matches(p, host))) {
            throw invalid("webhooks may not send to host \"" + host + "\" here (the operator's "
                    + NotifierSettings.ALLOW_HOSTS_ENV + " / " + NotifierSettings.DENY_HOSTS_ENV + ")");
        }
        return u;
    }

    /** What may be shown of a URL: scheme, host and port, then {@code /…} if it has more. */
    public static String redact(String url) {
        try {
            URI u = new URI(url);
            String rest = (u.getRawPath() == null ? "" : u.getRawPath()) + (u.getRawQuery() == null ? "" : "?");
            return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())
                    + (rest.isEmpty() || rest.equals("/") ? "" : "/…");
        } catch (URISyntaxException | RuntimeException e) {
            return "(a URL)";
        }
    }

    private static String host(URI u) {
        String h = u.getHost().toLowerCase(Locale.ROOT);
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    private static boolean matches(String pattern, String host) {
        return pattern.startsWith("*.") ? host.endsWith(pattern.substring(1)) : pattern.equals(host);
    }

    private static FlotillaException invalid(String message) {
        return new FlotillaException(ErrorCode.REQUEST_INVALID, message);
    }
}
