package dev.flotilla.aggregator;

import dev.flotilla.protocol.avro.DeploymentSetCreated;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationProgress;
import dev.flotilla.protocol.avro.MigrationResult;
import dev.flotilla.protocol.avro.RolloutChanged;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;

/**
 * The stream of status changes behind {@code GET /api/v1/events}: after each batch the views
 * committed, the rows it touched (databases, deployments, sets) are read again and handed to every
 * subscriber whose filter matches, each as an event with an increasing id. The last
 * {@value #KEPT} events are kept, so a client that reconnects with {@code Last-Event-ID} gets what
 * it missed; one whose position is gone (older than that, or from a stretch no one listened to,
 * which is not read back at all) gets a {@code reset} and reloads.
 *
 * <p>Reading the rows back runs on its own thread, never on the consumer's, and only while someone
 * listens: with no subscriber a batch costs one counter increment.
 */
final class LiveEvents implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveEvents.class);
    /** Events kept for clients that reconnect. */
    static final int KEPT = 50_000;
    /** Batches waiting to be read back; past this a subscriber would fall too far behind: reset. */
    private static final int QUEUED_BATCHES = 1_000;

    /** One event of the stream. */
    record Event(long id, String type, String env, String setId, JsonObject data) {
    }

    /** Where a subscriber's events go; called on the reader thread, must not block. */
    interface Subscriber {
        /** Whether this subscriber wants the event. */
        boolean wants(Event e);

        void send(List<Event> events);

        /** Its position is gone: it must reload. */
        void reset(long at);
    }

    private final ViewQueries queries;
    private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "flotilla-aggregator-live");
        t.setDaemon(true);
        return t;
    });
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final ArrayDeque<Event> kept = new ArrayDeque<>();
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    /** Ids are handed out under this object's lock. */
    private long lastId;
    /** Events up to this id were never read back (no one listened, or the reader fell behind). */
    private long lostUpTo;

    LiveEvents(ViewQueries queries) {
        this.queries = queries;
    }

    /** A batch was committed to the views: what it touched goes out to the subscribers. Consumer thread. */
    void committed(List<?> events) {
        Set<String> targets = new LinkedHashSet<>();
        Set<String> sets = new LinkedHashSet<>();
        for (Object e : events) {
            if (e instanceof MigrationResult r) {
                add(targets, r.getTargetId());
                add(sets, r.getDeploymentSetId());
            } else if (e instanceof MigrationCommand c) {
                add(targets, c.getTargetId());
                add(sets, c.getDeploymentSetId());
            } else if (e instanceof MigrationProgress p) {
                add(targets, p.getTargetId());
                add(sets, p.getDeploymentSetId());
            } else if (e instanceof DeploymentSetCreated d) {
                add(sets, d.getDeploymentSetId());
            } else if (e instanceof RolloutChanged c) {
                add(sets, c.getDeploymentSetId());
            }
        }
        if (targets.isEmpty() && sets.isEmpty()) {
            return;
        }
        if (subscribers.isEmpty() || queued.get() >= QUEUED_BATCHES) {
            lost();
            return;
        }
        queued.incrementAndGet();
        try {
            reader.execute(() -> {
                queued.decrementAndGet();
                readBack(targets, sets);
            });
        } catch (RejectedExecutionException closed) {
            queued.decrementAndGet();
        }
    }

    private static void add(Set<String> to, CharSequence v) {
        if (v != null) {
            to.add(v.toString());
        }
    }

    private synchronized void lost() {
        lastId++;
        lostUpTo = lastId;
    }

    private void readBack(Set<String> targets, Set<String> sets) {
        ViewQueries.Changed changed;
        try {
            changed = queries.changed(targets, sets);
        } catch (Exception e) {
            LOG.warn("reading back changed rows for the live stream failed; subscribers reload: {}", e.getMessage());
            lost();
            subscribers.forEach(s -> s.reset(lastId()));
            return;
        }
        List<Event> out = new ArrayList<>();
        synchronized (this) {
            for (JsonObject d : changed.deployments()) {
                out.add(keep(new Event(++lastId, "deployment", d.getString("env"), d.getString("setId"), d)));
            }
            for (JsonObject d : changed.databases()) {
                out.add(keep(new Event(++lastId, "database", d.getString("env"), d.getString("setId"), d)));
            }
            for (JsonObject s : changed.sets()) {
                out.add(keep(new Event(++lastId, "set", s.getString("env"), s.getString("id"), s)));
            }
            // Under the lock, so that a subscriber joining now gets these either as missed or here, once.
            for (Subscriber s : subscribers) {
                List<Event> mine = out.stream().filter(s::wants).toList();
                if (!mine.isEmpty()) {
                    s.send(mine);
                }
            }
        }
    }

    private Event keep(Event e) {
        kept.addLast(e);
        if (kept.size() > KEPT) {
            kept.removeFirst();
        }
        return e;
    }

    private synchronized long lastId() {
        return lastId;
    }

    /**
     * Adds a subscriber; with {@code lastEventId}, first sends what it missed, or a reset when that
     * is gone. Then it gets every new event it wants until {@link #unsubscribe}.
     */
    void subscribe(Subscriber s, Long lastEventId) {
        List<Event> missed = new ArrayList<>();
        long now;
        synchronized (this) {
            subscribers.add(s);
            now = lastId;
            if (lastEventId != null && lastEventId < lastId) {
                long oldest = kept.isEmpty() ? lastId + 1 : kept.peekFirst().id();
                if (lastEventId < lostUpTo || lastEventId + 1 < oldest) {
                    s.reset(now);
                } else {
                    for (Iterator<Event> it = kept.iterator(); it.hasNext(); ) {
                        Event e = it.next();
                        if (e.id() > lastEventId && s.wants(e)) {
                            missed.add(e);
                        }
                    }
                    if (!missed.isEmpty()) {
                        s.send(missed);
                    }
                }
            }
        }
    }

    void unsubscribe(Subscriber s) {
        subscribers.remove(s);
    }

    int subscribers() {
        return subscribers.size();
    }

    /** A filter on set and env; null for either means any. */
    static Predicate<Event> filter(String setId, String env) {
        return e -> (setId == null || setId.equals(e.setId())) && (env == null || env.equals(e.env()));
    }

    @Override
    public void close() {
        reader.shutdownNow();
    }
}
