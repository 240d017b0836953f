package dev.flotilla.notifier;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * Something a webhook may be told, before it is written for one webhook's format.
 *
 * @param eventId the id deliveries are deduplicated by: one delivery per webhook and event id
 * @param occurredAt when it happened (webhooks created later are not told)
 * @param env the env, or null (a ping)
 * @param data the event's details as they appear under {@code data} in a JSON delivery
 * @param summary one line for people (Slack), naming set, env, directory, version, counts, reason
 */
public record Notification(EventType type, String eventId, Instant occurredAt, String directory, String env,
        JsonObject data, String summary) {

    /** The JSON delivery's body. */
    public JsonObject body(String deliveryId) {
        return new JsonObject().put("event", type.wire()).put("deliveryId", deliveryId).put("eventId", eventId)
                .put("occurredAt", occurredAt.toString()).put("directory", directory).put("env", env)
                .put("data", data.copy()).put("summary", summary);
    }

    /** The body for {@code format}. */
    public String render(WebhookFormat format, String deliveryId) {
        return format == WebhookFormat.SLACK ? new JsonObject().put("text", summary).encode()
                : body(deliveryId).encode();
    }
}
