package dev.flotilla.worker;

import java.util.ArrayDeque;
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
 * is full waits aside, in order, while commands of other servers go ahead of it. Thread-safe.
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
    private boolean closed;

    /** A command and the server it runs against. */
    record Entry<C>(String server, C command) {
    }

    CommandQueue(int maxPerServer) {
        this.maxPerServer = maxPerServer;
    }

    void add(String server, C command) {
        lock.lock();
        try {
            ready.addLast(new Entry<>(server, command));
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
        } finally {
            lock.unlock();
        }
    }

    /** Drops the commands not taken yet that match (their partition went to another worker); how many. */
    int removeIf(Predicate<C> drop) {
        lock.lock();
        try {
            int removed = removeFrom(ready, drop);
            for (Iterator<ArrayDeque<Entry<C>>> it = waiting.values().iterator(); it.hasNext(); ) {
                ArrayDeque<Entry<C>> w = it.next();
                removed += removeFrom(w, drop);
                if (w.isEmpty()) {
                    it.remove();
                }
            }
            return removed;
        } finally {
            lock.unlock();
        }
    }

    private static <C> int removeFrom(ArrayDeque<Entry<C>> q, Predicate<C> drop) {
        int n = q.size();
        q.removeIf(e -> drop.test(e.command()));
        return n - q.size();
    }

    /** Commands not taken yet. */
    int size() {
        lock.lock();
        try {
            return ready.size() + waiting.values().stream().mapToInt(ArrayDeque::size).sum();
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
