package dev.flotilla.worker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The commands a worker holds, handed to its JDBC threads: each thread takes the next command as
 * soon as its last one is done, with no hop through the event loop in between (each hop waits for a
 * scheduler slot, which on a busy machine costs more than a small target's own work). At most
 * {@code maxPerServer} commands of one database server are taken at a time; a command whose server
 * is full waits aside, in order, while commands of other servers go ahead of it.
 *
 * <p>Lanes. A staged group with {@code parallel = N} sends its commands on N lanes ({@code
 * set/group/n}), each lane on one partition, so each lane is held by one worker. A worker runs a
 * group's commands from a pool with as many slots as it holds lanes of that group: any of the
 * group's commands held here takes a free slot, the lowest index first (the group's {@code
 * order_by}: lanes are read in any order, a wave's tenants still start in its order). Across all workers that is at most
 * N at once, as with one command per lane at a time; but a lane that runs out of commands early
 * lends its slot to the lanes that have more, so the group's N slots stay busy until its last
 * command instead of idling while one long lane finishes. A lane counts until its partition goes
 * to another worker ({@link #removeIf}) or its group has nothing left here. A command holds its
 * slot from when it comes up (also while it waits for its server) until it is done. Thread-safe.
 *
 * @param <C> a command
 */
final class CommandQueue<C> {
    private final int maxPerServer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    /** Commands in arrival order (a server's waiting command returns to the front when its slot frees). */
    private final ArrayDeque<Entry<C>> ready = new ArrayDeque<>();
    /** Commands whose server was full when they came up, per server, in order. */
    private final Map<String, ArrayDeque<Entry<C>>> waiting = new HashMap<>();
    private final Map<String, Integer> taken = new HashMap<>();
    /** Staged groups with commands here, by pool ({@code set/group}). */
    private final Map<String, Pool<C>> pools = new HashMap<>();
    private boolean closed;
    private long seq;

    /** A command, the server it runs against and its lane (null for none). */
    record Entry<C>(String server, String lane, long order, long seq, C command) {
        /** The lane's group: the lane without its slot number. */
        String pool() {
            int slash = lane.lastIndexOf('/');
            return slash > 0 ? lane.substring(0, slash) : lane;
        }
    }

    /** A group's lanes held here (each with a command of it, to tell its partition), slots taken, and waiters. */
    private static final class Pool<C> {
        final Map<String, C> lanes = new HashMap<>();
        final Set<Entry<C>> holders = Collections.newSetFromMap(new IdentityHashMap<>());
        final java.util.PriorityQueue<Entry<C>> waiting = new java.util.PriorityQueue<>(
                java.util.Comparator.<Entry<C>>comparingLong(Entry::order).thenComparingLong(Entry::seq));
        int queued;

        boolean hasSlot() {
            return holders.size() < lanes.size();
        }

        boolean idle() {
            return queued == 0 && holders.isEmpty() && waiting.isEmpty();
        }
    }

    CommandQueue(int maxPerServer) {
        this.maxPerServer = maxPerServer;
    }

    void add(String server, C command) {
        add(server, null, command);
    }

    void add(String server, String lane, C command) {
        add(server, lane, -1, command);
    }

    /** A command of {@code lane} (null for none); {@code order} ranks it in its group (its index), -1 for arrival. */
    void add(String server, String lane, long order, C command) {
        lock.lock();
        try {
            long n = seq++;
            Entry<C> e = new Entry<>(server, lane, order < 0 ? n : order, n, command);
            if (lane != null) {
                Pool<C> p = pools.computeIfAbsent(e.pool(), k -> new Pool<>());
                p.lanes.putIfAbsent(lane, command);
                p.queued++;
            }
            ready.addLast(e);
            available.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next command whose server has a free slot, counted against that server until
     * {@link #done}; blocks while there is none. Null once closed.
     */
    Entry<C> take() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    return null;
                }
                Entry<C> e = ready.pollFirst();
                if (e == null) {
                    available.await();
                    continue;
                }
                if (e.lane() != null) {
                    Pool<C> p = pools.get(e.pool());
                    p.lanes.putIfAbsent(e.lane(), e.command()); // a command held here: its lane is held here
                    if (!p.holders.contains(e)) {
                        // The group's commands still in line join it aside, so the lowest index held goes first.
                        String pool = e.pool();
                        p.waiting.add(e);
                        ready.removeIf(x -> x.lane() != null && !p.holders.contains(x) && pool.equals(x.pool())
                                && p.waiting.add(x));
                        if (!p.hasSlot()) {
                            continue;
                        }
                        e = p.waiting.poll();
                        p.holders.add(e);
                        p.queued--;
                        if (p.hasSlot() && !p.waiting.isEmpty()) {
                            ready.addFirst(p.waiting.poll()); // another free slot: the next one comes up at once
                            available.signal();
                        }
                    }
                }
                int n = taken.getOrDefault(e.server(), 0);
                if (n < maxPerServer) {
                    taken.put(e.server(), n + 1);
                    return e;
                }
                waiting.computeIfAbsent(e.server(), k -> new ArrayDeque<>()).addLast(e);
            }
        } finally {
            lock.unlock();
        }
    }

    /** A taken command finished: its server's slot is free, for that server's oldest waiting command first. */
    void done(Entry<C> e) {
        lock.lock();
        try {
            taken.merge(e.server(), -1, Integer::sum);
            if (taken.get(e.server()) <= 0) {
                taken.remove(e.server());
            }
            ArrayDeque<Entry<C>> w = waiting.get(e.server());
            if (w != null) {
                ready.addFirst(w.pollFirst());
                if (w.isEmpty()) {
                    waiting.remove(e.server());
                }
                available.signal();
            }
            if (e.lane() != null) {
                Pool<C> p = pools.get(e.pool());
                if (p != null && p.holders.remove(e)) {
                    freed(e.pool(), p);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** A slot of the pool came free (or the pool shrank): its oldest waiting command comes up next, if it fits. */
    private void freed(String pool, Pool<C> p) {
        if (!p.waiting.isEmpty() && p.hasSlot()) {
            ready.addFirst(p.waiting.poll());
            available.signal();
        }
        if (p.idle()) {
            pools.remove(pool); // nothing left of the group here; its later commands bring their lanes again
        }
    }

    /** Drops the commands not taken yet that match (their partition went to another worker); how many. */
    int removeIf(Predicate<C> drop) {
        lock.lock();
        try {
            List<Entry<C>> dropped = new ArrayList<>();
            removeFrom(ready, drop, dropped);
            for (Iterator<ArrayDeque<Entry<C>>> it = waiting.values().iterator(); it.hasNext(); ) {
                ArrayDeque<Entry<C>> w = it.next();
                removeFrom(w, drop, dropped);
                if (w.isEmpty()) {
                    it.remove();
                }
            }
            for (Iterator<Map.Entry<String, Pool<C>>> it = pools.entrySet().iterator(); it.hasNext(); ) {
                Pool<C> p = it.next().getValue();
                removeFrom(p.waiting, drop, dropped);
                // The lanes on those partitions are another worker's now, and so are their slots.
                p.lanes.values().removeIf(drop);
                p.waiting.forEach(e -> p.lanes.putIfAbsent(e.lane(), e.command()));
            }
            for (Entry<C> e : dropped) {
                if (e.lane() != null) {
                    Pool<C> p = pools.get(e.pool());
                    if (!p.holders.remove(e)) {
                        p.queued--; // it had not come up yet
                    }
                }
            }
            for (Map.Entry<String, Pool<C>> p : new ArrayList<>(pools.entrySet())) {
                for (int free = p.getValue().lanes.size() - p.getValue().holders.size(); free > 0
                        && !p.getValue().waiting.isEmpty(); free--) {
                    freed(p.getKey(), p.getValue());
                }
                if (p.getValue().idle()) {
                    pools.remove(p.getKey());
                }
            }
            return dropped.size();
        } finally {
            lock.unlock();
        }
    }

    private static <C> void removeFrom(java.util.Collection<Entry<C>> q, Predicate<C> drop, List<Entry<C>> dropped) {
        q.removeIf(e -> {
            if (drop.test(e.command())) {
                dropped.add(e);
                return true;
            }
            return false;
        });
    }

    /** Commands not taken yet. */
    int size() {
        lock.lock();
        try {
            return ready.size() + waiting.values().stream().mapToInt(ArrayDeque::size).sum()
                    + pools.values().stream().mapToInt(p -> p.waiting.size()).sum();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every taker with null; commands not taken are dropped (their offsets were never committed). */
    void close() {
        lock.lock();
        try {
            closed = true;
            available.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
