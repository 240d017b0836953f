package dev.flotilla.notifier;

import java.util.Locale;
import java.util.Optional;

/** How a delivery's body is written. */
public enum WebhookFormat {
    /** The event as JSON, signed with HMAC-SHA256 in {@code X-Hub-Signature-256} when the webhook has a secret. */
    JSON,
    /** A Slack incoming-webhook message: {@code {"text": "…"}}. */
    SLACK;

    /** {@code json} or {@code slack}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The format named {@code name} (any case). */
    public static Optional<WebhookFormat> of(String name) {
        for (WebhookFormat f : values()) {
            if (f.word().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
