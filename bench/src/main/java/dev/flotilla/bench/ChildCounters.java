package dev.flotilla.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What another JVM has done so far, read without attaching to it (an attach, {@code jcmd}, starts
 * a JVM of its own on the same cores): its CPU and its JIT compiler threads' CPU from
 * {@code /proc/<pid>}, and its HotSpot counters (classes loaded, from the CDS archive or not, JIT
 * compilations) from the {@code hsperfdata} file it maps. Linux only; zeros elsewhere.
 *
 * @param cpuNanos the process's CPU, every thread
 * @param jitNanos CPU of its C1 and C2 compiler threads
 * @param classes classes loaded
 * @param sharedClasses of those, loaded from a CDS archive
 * @param compiles methods the JIT compiled
 */
record ChildCounters(long cpuNanos, long jitNanos, long classes, long sharedClasses, long compiles) {
    /** Clock ticks per second of {@code /proc/<pid>/stat} times (USER_HZ, 100 on Linux). */
    private static final long TICK_NANOS = 10_000_000L;

    static ChildCounters of(long pid) {
        Map<String, Long> perf = perfData(pid);
        return new ChildCounters(cpu(pid), jit(pid), perf.getOrDefault("java.cls.loadedClasses", 0L),
                perf.getOrDefault("java.cls.sharedLoadedClasses", 0L), perf.getOrDefault("sun.ci.totalCompiles", 0L));
    }

    /** What happened between {@code before} and this. */
    ChildCounters minus(ChildCounters before) {
        return new ChildCounters(cpuNanos - before.cpuNanos, jitNanos - before.jitNanos, classes - before.classes,
                sharedClasses - before.sharedClasses, compiles - before.compiles);
    }

    private static long cpu(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NANOS; // utime, stime
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * CPU of the process's threads by name ({@code /proc/<pid>/task/<tid>/comm}: the first 15
     * characters, digits left out so that a pool's threads add up), in ms.
     */
    static Map<String, Long> threads(long pid) {
        Map<String, Long> out = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks) {
                try {
                    String comm = Files.readString(t.resolve("comm")).trim().replaceAll("[0-9]+", "#");
                    long ns = Long.parseLong(Files.readString(t.resolve("schedstat")).split(" ")[0]);
                    out.merge(comm, ns / 1_000_000, Long::sum);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between listing and reading
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** The {@code top} thread names that took the most CPU between {@code before} and {@code after}. */
    static String busiest(Map<String, Long> before, Map<String, Long> after, int top) {
        return after.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue()
                - before.getOrDefault(e.getKey(), 0L))).sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top).map(e -> e.getKey() + " " + e.getValue())
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static long jit(long pid) {
        return JitCpu.nanos(pid);
    }

    /**
     * The long counters of {@code /tmp/hsperfdata_<user>/<pid>}: a prologue (magic 0xcafec0c0,
     * byte order, ..., the first entry's offset at 24 and the number of entries at 28), then
     * entries of (length, name offset, vector length, type, flags, units, variability, data offset).
     */
    static Map<String, Long> perfData(long pid) {
        Map<String, Long> out = new HashMap<>();
        Path file = Path.of(System.getProperty("java.io.tmpdir"), "hsperfdata_" + System.getProperty("user.name"),
                Long.toString(pid));
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
            if (b.getInt(0) != 0xcafec0c0) {
                return out;
            }
            b.order(b.get(4) == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            int at = b.getInt(24);
            for (int n = b.getInt(28); n > 0; n--) {
                entry(b, at, out);
                at += b.getInt(at);
            }
        } catch (IOException | RuntimeException e) {
            // no counters: the JVM runs with -XX:-UsePerfData, or has ended
        }
        return out;
    }

    private static void entry(ByteBuffer b, int at, Map<String, Long> out) {
        int nameAt = at + b.getInt(at + 4);
        int end = nameAt;
        while (b.get(end) != 0) {
            end++;
        }
        if (b.getInt(at + 8) == 0 && b.get(at + 12) == 'J') { // a scalar long
            byte[] name = new byte[end - nameAt];
            b.get(nameAt, name);
            out.put(new String(name, StandardCharsets.US_ASCII), b.getLong(at + b.getInt(at + 16)));
        }
    }
}
