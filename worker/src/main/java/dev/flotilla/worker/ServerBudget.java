package dev.flotilla.worker;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

/**
 * At most {@code max} concurrent applies per database server, so a rollout never opens more
 * connections to one server than it can take. Event-loop confined.
 */
final class ServerBudget {
    private final int max;
    private final Map<String, Integer> used = new HashMap<>();
    private final Map<String, Queue<Promise<Void>>> queued = new HashMap<>();

    ServerBudget(int max) {
        this.max = max;
    }

    /** Completes when a slot for {@code server} is free. */
    Future<Void> acquire(String server) {
        int n = used.getOrDefault(server, 0);
        if (n < max) {
            used.put(server, n + 1);
            return Future.succeededFuture();
        }
        Promise<Void> p = Promise.promise();
        queued.computeIfAbsent(server, k -> new ArrayDeque<>()).add(p);
        return p.future();
    }

    void release(String server) {
        Queue<Promise<Void>> q = queued.get(server);
        if (q != null && !q.isEmpty()) {
            q.poll().complete();
            return;
        }
        used.merge(server, -1, Integer::sum);
        if (used.get(server) <= 0) {
            used.remove(server);
            queued.remove(server);
        }
    }
}
