package dev.flotilla.notifier;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How the notifier delivers, declared once and checked at start.
 *
 * @param maxAttempts a delivery that failed this many times is given up (state FAILED)
 * @param firstBackoff the wait after the first failed attempt; it doubles after each further one
 * @param maxBackoff the longest wait between two attempts
 * @param connectTimeout how long to wait for a receiver to accept the connection
 * @param requestTimeout how long a whole attempt (send, answer, body) may take
 * @param maxInFlight attempts in flight at once, all webhooks together
 * @param perWebhookInFlight attempts in flight at once to one webhook: a slow receiver holds at most these
 * @param hosts which receiver hosts webhooks may name (SSRF guard)
 */
public record NotifierSettings(int maxAttempts, Duration firstBackoff, Duration maxBackoff, Duration connectTimeout,
        Duration requestTimeout, int maxInFlight, int perWebhookInFlight, HostPolicy hosts) {
    /** The environment variable with the hosts webhooks may name (comma-separated; none: any). */
    public static final String ALLOW_HOSTS_ENV = "FLOTILLA_WEBHOOK_ALLOW_HOSTS";
    /** The environment variable with the hosts webhooks may not name (comma-separated). */
    public static final String DENY_HOSTS_ENV = "FLOTILLA_WEBHOOK_DENY_HOSTS";
    /** The environment variable with {@link #maxAttempts}. */
    public static final String MAX_ATTEMPTS_ENV = "FLOTILLA_WEBHOOK_MAX_ATTEMPTS";

    public NotifierSettings {
        List<String> problems = new ArrayList<>();
        if (maxAttempts < 1 || maxAttempts > 100) {
            problems.add("webhook max attempts is " + maxAttempts + "; it must be from 1 to 100");
        }
        if (firstBackoff.isNegative() || firstBackoff.isZero() || maxBackoff.compareTo(firstBackoff) < 0) {
            problems.add("webhook backoff must be positive, the first (" + firstBackoff + ") no longer than the"
                    + " longest (" + maxBackoff + ")");
        }
        if (connectTimeout.isZero() || connectTimeout.isNegative() || requestTimeout.isZero()
                || requestTimeout.isNegative()) {
            problems.add("webhook timeouts must be positive");
        }
        if (maxInFlight < 1 || perWebhookInFlight < 1 || perWebhookInFlight > maxInFlight) {
            problems.add("webhook deliveries in flight: " + maxInFlight + " in all and " + perWebhookInFlight
                    + " per webhook; both at least 1, per webhook at most the total");
        }
        if (!problems.isEmpty()) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, String.join("; ", problems));
        }
    }

    /**
     * The defaults: 12 attempts, 1 s doubling to 5 min (about 17 min from the first attempt to the last),
     * 5 s to connect, 10 s per attempt, 64 attempts in flight and 4 per webhook; hosts from the environment.
     */
    public static NotifierSettings fromEnv(Map<String, String> env) {
        int attempts = 12;
        String a = env.get(MAX_ATTEMPTS_ENV);
        if (a != null && !a.isBlank()) {
            try {
                attempts = Integer.parseInt(a.trim());
            } catch (NumberFormatException e) {
                throw new FlotillaException(ErrorCode.CONFIG_INVALID, MAX_ATTEMPTS_ENV + " is \"" + a
                        + "\"; it must be a whole number from 1 to 100");
            }
        }
        return new NotifierSettings(attempts, Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(5),
                Duration.ofSeconds(10), 64, 4, new HostPolicy(list(env.get(ALLOW_HOSTS_ENV)),
                        list(env.get(DENY_HOSTS_ENV))));
    }

    /** These settings with other retry timings (tests). */
    public NotifierSettings withRetries(int attempts, Duration first, Duration max) {
        return new NotifierSettings(attempts, first, max, connectTimeout, requestTimeout, maxInFlight,
                perWebhookInFlight, hosts);
    }

    /** These settings with another time limit per attempt (tests). */
    public NotifierSettings withRequestTimeout(Duration timeout) {
        return new NotifierSettings(maxAttempts, firstBackoff, maxBackoff, connectTimeout, timeout, maxInFlight,
                perWebhookInFlight, hosts);
    }

    /** These settings with other limits of attempts in flight (tests). */
    public NotifierSettings withInFlight(int total, int perWebhook) {
        return new NotifierSettings(maxAttempts, firstBackoff, maxBackoff, connectTimeout, requestTimeout, total,
                perWebhook, hosts);
    }

    /** The wait after the {@code attempts}-th failed attempt: {@link #firstBackoff} doubling, at most {@link #maxBackoff}. */
    public Duration backoff(int attempts) {
        long ms = firstBackoff.toMillis();
        for (int i = 1; i < attempts && ms < maxBackoff.toMillis(); i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
    }

    private static List<String> list(String text) {
        return text == null || text.isBlank() ? List.of()
                : Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
