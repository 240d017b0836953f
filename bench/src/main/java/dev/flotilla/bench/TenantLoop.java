package dev.flotilla.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs one task per tenant on a fixed pool of {@code parallel} named threads and times each. */
final class TenantLoop {
    /** The work for one tenant. */
    @FunctionalInterface
    interface Task {
        void run(String tenant) throws Exception;
    }

    private TenantLoop() {
    }

    static Outcome run(List<String> tenants, int parallel, String name, Task task) throws InterruptedException {
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Long>> futures = new ArrayList<>(tenants.size());
            for (String tenant : tenants) {
                futures.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    task.run(tenant);
                    return System.nanoTime() - t0;
                }));
            }
            return collect(futures);
        } finally {
            pool.shutdownNow();
        }
    }

    private static Outcome collect(List<Future<Long>> futures) throws InterruptedException {
        long[] latencies = new long[futures.size()];
        int ok = 0;
        String firstError = null;
        for (Future<Long> f : futures) {
            try {
                latencies[ok++] = f.get();
            } catch (ExecutionException e) {
                ok--;
                if (firstError == null) {
                    firstError = String.valueOf(e.getCause());
                }
            }
        }
        return new Outcome(futures.size(), futures.size() - ok, java.util.Arrays.copyOf(latencies, ok), firstError);
    }
}
