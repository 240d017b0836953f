package dev.flotilla.bench;

/**
 * How the tenants of one run ended.
 *
 * @param tenants targets attempted
 * @param failed targets that did not reach the end state
 * @param latencyNanos per-tenant time of the successful ones, in no particular order
 * @param firstError the first failure's message, or null
 */
record Outcome(int tenants, int failed, long[] latencyNanos, String firstError) {
}
