package dev.flotilla.fabric;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether a process can reach what its services need: Kafka (every service) and the store (those
 * with one), checked every few seconds off the event loop. {@code /health/ready} reports each, so
 * an outage shows as DOWN with its reason while the services wait it out.
 */
final class Dependencies implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dependencies.class);
    private static final long EVERY_MS = 5000;

    private final Vertx vertx;
    private final ServiceStore store;
    private final Admin admin;
    private final AtomicBoolean checking = new AtomicBoolean();
    private volatile String storeDown;
    private volatile String kafkaDown;
    private long timer = -1;

    Dependencies(Vertx vertx, KafkaSettings kafka, ServiceStore store) {
        this.vertx = vertx;
        this.store = store;
        this.admin = kafka.bootstrap() == null ? null : Admin.create(KafkaClients.admin(kafka, "flotilla-health"));
    }

    void start() {
        timer = vertx.setPeriodic(1, EVERY_MS, id -> {
            if (checking.compareAndSet(false, true)) {
                vertx.executeBlocking(() -> {
                    check();
                    return null;
                }, false).onComplete(ar -> checking.set(false));
            }
        });
    }

    private void check() {
        storeDown = store == null ? null : storeProblem();
        kafkaDown = admin == null ? null : kafkaProblem();
    }

    private String storeProblem() {
        try (Connection c = store.connection()) {
            return c.isValid(2) ? null : "the store did not answer within 2 s";
        } catch (Exception e) {
            return "the store is unreachable: " + e.getMessage();
        }
    }

    private String kafkaProblem() {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(4000)).nodes().get(5, TimeUnit.SECONDS);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            return "Kafka is unreachable: " + (e.getCause() == null ? e : e.getCause()).getMessage();
        }
    }

    /** Adds {@code store} and {@code kafka} to a readiness answer; whether both are up. */
    boolean report(JsonObject body) {
        if (store != null) {
            body.put("store", storeDown == null ? "UP" : "DOWN: " + storeDown);
        }
        if (admin != null) {
            body.put("kafka", kafkaDown == null ? "UP" : "DOWN: " + kafkaDown);
        }
        return storeDown == null && kafkaDown == null;
    }

    @Override
    public void close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (admin != null) {
            try {
                admin.close(java.time.Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("closing the health check's admin client failed", e);
            }
        }
    }
}
