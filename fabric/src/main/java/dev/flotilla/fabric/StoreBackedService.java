package dev.flotilla.fabric;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;

import java.time.Duration;

/**
 * A service that keeps tables in the services' store (registry, coordinator, aggregator). Starting
 * and stopping happen in one order for all of them: a named, sized JDBC executor of the service's own
 * ({@code flotilla-<name>-jdbc}; JDBC never runs on the event loop), the blocking set-up on it (its
 * tables, its Kafka clients), then its routes, timers and loops on the event loop; on stop, the
 * service halts first and the executor closes last.
 */
public abstract class StoreBackedService implements FlotillaService {
    private WorkerExecutor jdbc;

    @Override
    public final Future<Void> start(ServiceHost host) {
        jdbc = host.vertx().createSharedWorkerExecutor("flotilla-" + name() + "-jdbc", jdbcThreads(),
                longestJdbcCall().toNanos());
        return jdbc.<Void>executeBlocking(() -> {
            prepare(host);
            return null;
        }).map(v -> {
            serve(host);
            return null;
        });
    }

    @Override
    public final Future<Void> stop() {
        return halt().onComplete(v -> {
            if (jdbc != null) {
                jdbc.close();
            }
        });
    }

    /** The service's JDBC executor; set once {@link #start} has run. */
    protected final WorkerExecutor jdbc() {
        return jdbc;
    }

    /** Threads of the JDBC executor: the most store calls the service runs at once. */
    protected abstract int jdbcThreads();

    /** How long one call on the JDBC executor may run before Vert.x logs it as blocked. */
    protected Duration longestJdbcCall() {
        return Duration.ofMinutes(1);
    }

    /** Blocking set-up, on the JDBC executor: the service's tables, stores and Kafka clients. */
    protected abstract void prepare(ServiceHost host) throws Exception;

    /** Routes, timers and loops, on the event loop, once {@link #prepare} succeeded. */
    protected abstract void serve(ServiceHost host);

    /** Stops consuming and serving; the JDBC executor closes once the returned future completes. */
    protected abstract Future<Void> halt();
}
