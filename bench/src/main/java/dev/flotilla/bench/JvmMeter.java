package dev.flotilla.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.OperatingSystemMXBean;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Measures this JVM over a stretch of work: CPU time, heap allocation (heap growth plus what each
 * GC freed, so it counts every thread, including threads that ended), peak and live heap.
 */
final class JvmMeter implements NotificationListener, AutoCloseable {
    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final Set<String> heapPools = new HashSet<>();
    private final AtomicLong freed = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong live = new AtomicLong();
    private final Thread sampler;
    private final boolean withDb;
    private long wall0;
    private long cpu0;
    private long heap0;
    private long db0;
    private volatile boolean running = true;

    private JvmMeter(boolean withDb) {
        this.withDb = withDb;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                heapPools.add(p.getName());
            }
        }
        sampler = new Thread(this::sample, "bench-heap-sampler");
        sampler.setDaemon(true);
    }

    /** Starts measuring now; {@code withDb} also measures the local PostgreSQL server's CPU. */
    static JvmMeter start(boolean withDb) {
        JvmMeter m = new JvmMeter(withDb);
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener(m, null, null);
        }
        m.db0 = withDb ? PgCpu.nanos() : 0;
        m.heap0 = heapUsed();
        m.peak.set(m.heap0);
        m.cpu0 = OS.getProcessCpuTime();
        m.wall0 = System.nanoTime();
        m.sampler.start();
        return m;
    }

    /** Stops measuring and returns what the stretch cost. */
    Usage stop() {
        Usage u = snapshot();
        close();
        return u;
    }

    /** What the stretch cost so far; keeps measuring. */
    Usage snapshot() {
        long wall = System.nanoTime() - wall0;
        long cpu = OS.getProcessCpuTime() - cpu0;
        long db = withDb ? PgCpu.nanos() - db0 : -1;
        long heap = heapUsed();
        peak.accumulateAndGet(heap, Math::max);
        return new Usage(wall, cpu, heap - heap0 + freed.get(), peak.get(), live.get(), db,
                Environment.load().split(" ")[0]);
    }

    private void sample() {
        while (running) {
            peak.accumulateAndGet(heapUsed(), Math::max);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Override
    public void handleNotification(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long before = heap(info.getGcInfo().getMemoryUsageBeforeGc());
        long after = heap(info.getGcInfo().getMemoryUsageAfterGc());
        freed.addAndGet(Math.max(0, before - after));
        peak.accumulateAndGet(before, Math::max);
        live.accumulateAndGet(after, Math::max);
    }

    private long heap(Map<String, MemoryUsage> pools) {
        long sum = 0;
        for (Map.Entry<String, MemoryUsage> e : pools.entrySet()) {
            if (heapPools.contains(e.getKey())) {
                sum += e.getValue().getUsed();
            }
        }
        return sum;
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            try {
                ((NotificationEmitter) gc).removeNotificationListener(this);
            } catch (ListenerNotFoundException e) {
                // already removed
            }
        }
    }
}
