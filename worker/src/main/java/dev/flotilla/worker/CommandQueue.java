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
 * is full waits aside, in order, while commands of other servers go ahead of it. Commands of one
 * lane (a staged group's parallel slot) run one at a time, in order: the first holds the lane from
 * when it comes up until it is done, and the lane's next ones wait aside. Thread-safe.
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
    /** Lanes and the command that holds each (waiting for its server or running). */
    private final Map<String, Entry<C>> lanes = new HashMap<>();
    /** Commands whose lane was held when they came up, per lane, in order. */
    private final Map<String, ArrayDeque<Entry<C>>> laneWaiting = new HashMap<>();
    /** Commands taken and not done yet. */
    private final Set<Entry<C>> running = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    /** A command, the server it runs against and its lane (null for none). */
    record Entry<C>(String server, String lane, C command) {
    }

    CommandQueue(int maxPerServer) {
        this.maxPerServer = maxPerServer;
    }

    void add(String server, C command) {
        add(server, null, command);
    }

    void add(String server, String lane, C command) {
        lock.lock();
        try {
            ready.addLast(new Entry<>(server, lane, command));
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
                    Entry<C> holder = lanes.putIfAbsent(e.lane(), e);
                    if (holder != null && holder != e) {
                        laneWaiting.computeIfAbsent(e.lane(), k -> new ArrayDeque<>()).addLast(e);
                        continue;
                    }
                }
                int n = taken.getOrDefault(e.server(), 0);
                if (n < maxPerServer) {
                    taken.put(e.server(), n + 1);
                    running.add(e);
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
            running.remove(e);
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
            if (e.lane() != null && lanes.remove(e.lane(), e)) {
                nextOfLane(e.lane());
            }
        } finally {
            lock.unlock();
        }
    }

    /** The lane is free: its oldest waiting command comes up next. */
    private void nextOfLane(String lane) {
        ArrayDeque<Entry<C>> w = laneWaiting.get(lane);
        if (w != null) {
            ready.addFirst(w.pollFirst());
            if (w.isEmpty()) {
                laneWaiting.remove(lane);
            }
            available.signal();
        }
    }

    /** Drops the commands not taken yet that match (their partition went to another worker); how many. */
    int removeIf(Predicate<C> drop) {
        lock.lock();
        try {
            int removed = removeFrom(ready, drop);
            for (Map<String, ArrayDeque<Entry<C>>> aside : List.of(waiting, laneWaiting)) {
                for (Iterator<ArrayDeque<Entry<C>>> it = aside.values().iterator(); it.hasNext(); ) {
                    ArrayDeque<Entry<C>> w = it.next();
                    removed += removeFrom(w, drop);
                    if (w.isEmpty()) {
                        it.remove();
                    }
                }
            }
            // A lane held by a dropped command (it waited for its server) is free again.
            List<String> freed = new ArrayList<>();
            lanes.forEach((lane, holder) -> {
                if (drop.test(holder.command()) && !isTaken(holder)) {
                    freed.add(lane);
                }
            });
            for (String lane : freed) {
                lanes.remove(lane);
                nextOfLane(lane);
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

    private boolean isTaken(Entry<C> e) {
        return running.contains(e);
    }

    /** Commands not taken yet. */
    int size() {
        lock.lock();
        try {
            return ready.size() + waiting.values().stream().mapToInt(ArrayDeque::size).sum()
                    + laneWaiting.values().stream().mapToInt(ArrayDeque::size).sum();
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
