package dev.flotilla.registry;

import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.SupervisedLoop;
import dev.flotilla.migrate.exec.RetryPolicy;
import dev.flotilla.protocol.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Sends the registry's outbox to {@code flotilla.directories}, one row at a time, the oldest due
 * row first, deleting each once Kafka acknowledged it. A row whose send fails is not retried in
 * place: it gets its next attempt time (backoff per row, from 1 s doubling to a minute, with
 * jitter), its attempts and its last error in the outbox, is counted in
 * {@code flotilla_registry_outbox_failures_total}, and the rows behind it go out meanwhile. So one
 * event Kafka refuses (too large, say) never holds back the pushes after it, and its push shows
 * {@code announced: false} with the reason until it goes out.
 *
 * <p>Runs as a {@link SupervisedLoop} body on its own thread, with a producer of its own per run:
 * a store that fails ends the run, the loop reports DOWN and starts a new run with backoff.
 */
final class OutboxDrain implements SupervisedLoop.Body {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxDrain.class);
    /** How long one send may wait for Kafka's acknowledgement. */
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    /** How often an idle drain looks at the outbox without being woken (a push of another registry process). */
    private static final Duration IDLE = Duration.ofSeconds(1);
    /** How many attempted rows are remembered for pushes that ask after their row. */
    private static final int REMEMBERED = 1024;

    private final RegistryStore store;
    private final Function<Map<String, Object>, Producer<String, byte[]>> producers;
    private final Map<String, Object> producerSettings;
    private final RetryPolicy backoff;
    private final Counter failures;
    private final AtomicLong pending = new AtomicLong();
    private long pendingCountedAt;
    private final Object signal = new Object();
    private boolean woken;
    /** Guarded by this: rows attempted lately, and pushes waiting for their row's first attempt. */
    private final Map<Long, Boolean> attempted = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };
    private final Map<Long, CompletableFuture<Void>> waiting = new HashMap<>();

    OutboxDrain(RegistryStore store, KafkaSettings kafka, MeterRegistry meters) {
        this(store, KafkaClients.producer(kafka, "registry"), KafkaProducer::new, meters,
                new RetryPolicy(Integer.MAX_VALUE, Duration.ofSeconds(1), Duration.ofMinutes(1)));
    }

    OutboxDrain(RegistryStore store, Map<String, Object> producerSettings,
            Function<Map<String, Object>, Producer<String, byte[]>> producers, MeterRegistry meters,
            RetryPolicy backoff) {
        this.store = store;
        this.producerSettings = producerSettings;
        this.producers = producers;
        this.backoff = backoff;
        this.failures = Counter.builder("flotilla_registry_outbox_failures_total").description("attempts to publish"
                + " a DirectoryPushed that failed; the row is tried again later, the rows behind it go on")
                .register(meters);
        Gauge.builder("flotilla_registry_outbox_pending", pending, AtomicLong::get).description("DirectoryPushed"
                + " events stored and not yet acknowledged by Kafka").register(meters);
    }

    @Override
    public void run(SupervisedLoop loop) {
        loop.onStop(this::wake);
        try (Producer<String, byte[]> producer = producers.apply(new HashMap<>(producerSettings))) {
            while (loop.running()) {
                Optional<RegistryStore.OutboxEvent> next = store.nextDue();
                loop.up();
                countPending(false);
                if (next.isEmpty()) {
                    idle();
                } else {
                    publish(producer, next.get());
                }
            }
        }
    }

    /** One attempt at one row; a store that fails here ends the run (the row is sent again by the next). */
    private void publish(Producer<String, byte[]> producer, RegistryStore.OutboxEvent e) {
        Throwable refused = null;
        try {
            producer.send(new ProducerRecord<>(Topics.DIRECTORIES, e.key(), e.payload())).get(SEND_TIMEOUT.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException ex) {
            refused = ex.getCause() == null ? ex : ex.getCause();
        } catch (TimeoutException | RuntimeException ex) { // a send may also fail at once (a closed producer)
            refused = ex;
        }
        if (refused == null) {
            store.published(e.seq());
            LOG.debug("published outbox row {} ({})", e.seq(), e.key());
        } else {
            failed(e, refused);
        }
        attempted(e.seq());
        countPending(true);
    }

    /** Records the failed attempt on the row, to be tried again after its backoff. */
    private void failed(RegistryStore.OutboxEvent e, Throwable why) {
        int attempts = e.attempts() + 1;
        Duration wait = backoff.delayBefore(Math.min(attempts + 1, 32));
        String reason = why instanceof TimeoutException ? "Kafka did not acknowledge it within "
                + SEND_TIMEOUT.toSeconds() + " s" : why.getClass().getSimpleName() + ": " + why.getMessage();
        failures.increment();
        LOG.warn("publishing DirectoryPushed {} (outbox row {}) failed, attempt {}; trying it again in {} ms, the rows"
                + " behind it go on: {}", e.key(), e.seq(), attempts, wait.toMillis(), reason);
        store.failed(e.seq(), reason, Instant.now().plus(wait));
    }

    private void countPending(boolean now) {
        long t = System.nanoTime();
        if (now || t - pendingCountedAt >= IDLE.toNanos()) {
            pending.set(store.pending());
            pendingCountedAt = t;
        }
    }

    /** Waits until woken, the next row falls due, or {@link #IDLE} has passed. */
    private void idle() {
        long waitMs = IDLE.toMillis();
        Optional<Instant> due = store.nextAttemptAt();
        if (due.isPresent()) {
            waitMs = Math.max(1, Math.min(waitMs, Duration.between(Instant.now(), due.get()).toMillis()));
        }
        synchronized (signal) {
            long deadline = System.currentTimeMillis() + waitMs;
            while (!woken && System.currentTimeMillis() < deadline) {
                try {
                    signal.wait(Math.max(1, deadline - System.currentTimeMillis()));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            woken = false;
        }
    }

    /** Something was queued (or the loop is stopping): look at the outbox now. */
    void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    /** Completes once the row at {@code seq} has had an attempt (published, or failed and rescheduled). */
    synchronized CompletableFuture<Void> attemptOf(long seq) {
        if (attempted.containsKey(seq)) {
            return CompletableFuture.completedFuture(null);
        }
        return waiting.computeIfAbsent(seq, k -> new CompletableFuture<>());
    }

    /** Forgets a push that stopped waiting for its row. */
    synchronized void stopWaiting(long seq) {
        waiting.remove(seq);
    }

    private synchronized void attempted(long seq) {
        attempted.put(seq, Boolean.TRUE);
        CompletableFuture<Void> f = waiting.remove(seq);
        if (f != null) {
            f.complete(null);
        }
    }

    /** Rows waiting in the outbox, as last counted. */
    long pending() {
        return pending.get();
    }
}
