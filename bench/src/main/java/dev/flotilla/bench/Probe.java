package dev.flotilla.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Polls a count through the API until it reaches a goal, recording when each value was seen: the
 * benchmark's clock for "visible in the API". The time of a sample is when its answer arrived.
 */
final class Probe {
    /**
     * One answer.
     *
     * @param epochMillis when it arrived
     * @param count the count it reported
     */
    record Sample(long epochMillis, long count) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private long doneNanos;

    /**
     * Polls every {@code intervalMs} until {@code count} reaches {@code goal} or {@code timeoutMs} passes.
     *
     * @return this, with the samples
     * @throws IllegalStateException on timeout, with the last count
     */
    static Probe until(LongSupplier count, long goal, long intervalMs, long timeoutMs) throws InterruptedException {
        Probe p = new Probe();
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (true) {
            long c = count.getAsLong();
            long now = System.nanoTime();
            p.samples.add(new Sample(System.currentTimeMillis(), c));
            if (c >= goal) {
                p.doneNanos = now;
                return p;
            }
            if (now > deadline) {
                throw new IllegalStateException("gave up after " + timeoutMs / 1000 + " s with " + c + " of " + goal);
            }
            Thread.sleep(intervalMs);
        }
    }

    /** When the first answer that reported at least {@code count} arrived (epoch ms); -1 if none did. */
    long firstMillis(long count) {
        return samples.stream().filter(s -> s.count() >= count).mapToLong(Sample::epochMillis).findFirst().orElse(-1);
    }

    /** {@link System#nanoTime()} when the goal was seen. */
    long doneNanos() {
        return doneNanos;
    }

    /**
     * Visibility latency per event: the k-th event (by the time it was produced) counts as visible
     * at the first sample whose count reached k. Assumes events become visible about in the order
     * they were produced; resolution is the polling interval.
     *
     * @param producedMillis when each event was produced, sorted ascending
     */
    long[] visibilityMillis(long[] producedMillis, long baseline) {
        long[] out = new long[producedMillis.length];
        int s = 0;
        for (int k = 0; k < producedMillis.length; k++) {
            while (s < samples.size() - 1 && samples.get(s).count() - baseline < k + 1) {
                s++;
            }
            out[k] = Math.max(0, samples.get(s).epochMillis() - producedMillis[k]);
        }
        return out;
    }
}
