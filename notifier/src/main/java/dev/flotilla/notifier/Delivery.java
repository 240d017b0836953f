package dev.flotilla.notifier;

/**
 * A delivery claimed for an attempt: what to send where.
 *
 * @param id the delivery id, sent as {@code X-Flotilla-Delivery}: the same on every attempt, so a receiver
 *     deduplicates by it
 * @param attempt this attempt's number, from 1
 * @param body the body as rendered when the event was recorded
 */
public record Delivery(String id, Webhook webhook, EventType type, String body, int attempt) {
}
