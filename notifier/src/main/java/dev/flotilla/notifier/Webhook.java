package dev.flotilla.notifier;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Set;

/**
 * A webhook of a directory: where its deliveries go, how they are written, which events it wants.
 *
 * @param secret the key deliveries are signed with; null for unsigned deliveries. Never shown back.
 * @param url where deliveries go; may itself be a secret (Slack's are), so never shown back in full
 */
public record Webhook(long id, String directory, String name, String url, WebhookFormat format,
        Set<EventType> events, String secret, Instant createdAt, String createdBy) {
    public Webhook {
        events = Set.copyOf(events);
    }

    /** Whether this webhook wants {@code type}; a ping always goes. */
    public boolean wants(EventType type) {
        return type == EventType.PING || events.contains(type);
    }

    /** What the API shows: the URL as scheme and host, the secret as its last 4 characters. */
    public JsonObject json() {
        return new JsonObject().put("id", id).put("directory", directory).put("name", name)
                .put("url", HostPolicy.redact(url)).put("format", format.word())
                .put("events", new JsonArray(EventType.SUBSCRIBABLE.stream().filter(events::contains)
                        .map(EventType::wire).sorted().toList()))
                .put("secret", secretHint(secret)).put("signed", secret != null)
                .put("createdAt", createdAt.toString()).put("createdBy", createdBy);
    }

    /** {@code …abcd} (the last 4 characters), or null without a secret; all dots for a short one. */
    static String secretHint(String secret) {
        if (secret == null) {
            return null;
        }
        return secret.length() < 12 ? "…" : "…" + secret.substring(secret.length() - 4);
    }

    @Override
    public String toString() {
        return "webhook " + id + " (" + name + ", directory " + directory + ", " + HostPolicy.redact(url) + ")";
    }
}
