package dev.flotilla.fabric;

import io.vertx.core.Future;

/**
 * One of Flotilla's services (registry, coordinator, worker, aggregator). Each runs alone in its
 * own process in production, or side by side in one JVM in dev mode; either way it talks to the
 * others only through Kafka.
 */
public interface FlotillaService {
    /** Short name, used in logs, metric tags and thread names. */
    String name();

    /** Starts consuming and serving; routes go on {@code host.router()}. */
    Future<Void> start(ServiceHost host);

    /** Stops, finishing or abandoning in-flight work safely. */
    Future<Void> stop();

    /** Whether the service is ready to serve (for {@code /health/ready}). */
    boolean ready();
}
