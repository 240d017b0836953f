package dev.flotilla.notifier;

import dev.flotilla.fabric.SupervisedLoop;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Drains the deliveries outbox on its own thread ({@code flotilla-notifier-dispatch}; JDBC never runs on
 * the event loop): claims due deliveries, hands each to the {@link Sender} (asynchronous: the thread
 * never waits for a receiver), and records each outcome. At most {@link NotifierSettings#maxInFlight()}
 * attempts are in flight, and at most {@link NotifierSettings#perWebhookInFlight()} to one webhook,
 * so a receiver that hangs holds a few slots until its deadline and the other webhooks go on. Woken
 * when the consumer queued deliveries or an attempt ended, and at least every {@link #IDLE}.
 */
final class Dispatcher implements SupervisedLoop.Body {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    static final Duration IDLE = Duration.ofMillis(250);
    /** How long the history keeps a finished delivery. */
    static final Duration KEEP = Duration.ofDays(30);
    private static final long PRUNE_EVERY_NANOS = Duration.ofHours(1).toNanos();

    private record Done(Delivery delivery, Outcome outcome) {
    }

    private final NotifierStore store;
    private final Sender sender;
    private final NotifierSettings settings;
    private final Map<String, Delivery> inFlight = new ConcurrentHashMap<>();
    private final ConcurrentLinkedDeque<Done> done = new ConcurrentLinkedDeque<>();
    private final Map<String, CompletableFuture<String>> waiters = new ConcurrentHashMap<>();
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final MeterRegistry meters;
    private boolean woken;
    private long lastPrune = System.nanoTime() - PRUNE_EVERY_NANOS;

    Dispatcher(NotifierStore store, Sender sender, NotifierSettings settings, MeterRegistry meters) {
        this.store = store;
        this.sender = sender;
        this.settings = settings;
        this.meters = meters;
        Gauge.builder("flotilla_notifier_deliveries_in_flight", inFlight, Map::size)
                .description("webhook deliveries being attempted").register(meters);
    }

    @Override
    public void run(SupervisedLoop loop) throws SQLException {
        loop.onStop(this::wake);
        while (loop.running()) {
            record();
            send();
            prune();
            loop.up();
            pause();
        }
    }

    /** Once an hour: the history keeps finished deliveries for {@link #KEEP}. */
    private void prune() throws SQLException {
        if (System.nanoTime() - lastPrune < PRUNE_EVERY_NANOS) {
            return;
        }
        lastPrune = System.nanoTime();
        int n = store.prune(KEEP);
        if (n > 0) {
            LOG.info("removed {} webhook deliveries older than {} days from the history", n, KEEP.toDays());
        }
    }

    /** Something may be due: look now rather than at the next tick. */
    void wake() {
        synchronized (this) {
            woken = true;
            notifyAll();
        }
    }

    /** Completes with the delivery's state once its next attempt was recorded. */
    CompletableFuture<String> attemptOf(String deliveryId) {
        return waiters.computeIfAbsent(deliveryId, k -> new CompletableFuture<>());
    }

    void stopWaiting(String deliveryId) {
        waiters.remove(deliveryId);
    }

    /**
     * After the loop stopped: waits at most {@code timeout} for the attempts in flight to end and
     * records them, so that a restart does not wait out their leases. What is still in flight then
     * is tried again once its lease is over.
     */
    void drain(Duration timeout) {
        long until = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (done.size() < inFlight.size() && System.nanoTime() < until) {
                try {
                    wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        try {
            record();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("could not record {} webhook attempts on the way out; they are tried again after their lease:"
                    + " {}", done.size(), e.getMessage());
        }
    }

    private void record() throws SQLException {
        for (Done d = done.pollFirst(); d != null; d = done.pollFirst()) {
            String state;
            try {
                state = store.complete(d.delivery(), d.outcome(), settings.maxAttempts(),
                        settings.backoff(d.delivery().attempt()));
            } catch (SQLException | RuntimeException e) {
                done.addFirst(d); // recorded by the next run; the row's lease keeps it from being sent again meanwhile
                throw e;
            }
            inFlight.remove(d.delivery().id());
            count(state);
            log(d, state);
            CompletableFuture<String> w = waiters.remove(d.delivery().id());
            if (w != null) {
                w.complete(state);
            }
        }
    }

    private void send() throws SQLException {
        int free = settings.maxInFlight() - inFlight.size();
        if (free <= 0) {
            return;
        }
        List<Delivery> claimed = store.claim(free, settings.perWebhookInFlight(), perHook(), lease());
        for (Delivery d : claimed) {
            inFlight.put(d.id(), d);
            sender.send(d).onComplete(ar -> {
                done.addLast(new Done(d, ar.succeeded() ? ar.result()
                        : new Outcome(0, 0, null, String.valueOf(ar.cause()))));
                wake();
            });
        }
    }

    private Map<Long, Integer> perHook() {
        Map<Long, Integer> m = new HashMap<>();
        inFlight.values().forEach(d -> m.merge(d.webhook().id(), 1, Integer::sum));
        return m;
    }

    /** How long a claimed delivery is not due again: longer than any attempt takes. */
    private Duration lease() {
        return settings.connectTimeout().plus(settings.requestTimeout()).plusSeconds(30);
    }

    private synchronized void pause() {
        long until = System.nanoTime() + IDLE.toNanos();
        while (!woken && System.nanoTime() < until) {
            try {
                wait(Math.max(1, (until - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        woken = false;
    }

    private void count(String state) {
        outcomes.computeIfAbsent(state, s -> Counter.builder("flotilla_notifier_attempts_total").tag("outcome", s)
                .description("webhook delivery attempts, by the state they left the delivery in").register(meters))
                .increment();
    }

    private static void log(Done d, String state) {
        Outcome o = d.outcome();
        if ("DELIVERED".equals(state)) {
            LOG.debug("delivered {} {} to {} (attempt {}, HTTP {}, {} ms)", d.delivery().type().wire(),
                    d.delivery().id(), d.delivery().webhook(), d.delivery().attempt(), o.status(), o.latencyMillis());
        } else {
            LOG.info("delivery {} of {} to {}: attempt {} {} ({}); now {}", d.delivery().id(),
                    d.delivery().type().wire(), d.delivery().webhook(), d.delivery().attempt(),
                    o.status() == 0 ? "got no answer" : "answered HTTP " + o.status(),
                    o.error() == null ? o.latencyMillis() + " ms" : o.error(), state);
        }
    }
}
