package dev.flotilla.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of this JVM's JIT compiler threads, read from {@code /proc/self/task} (Linux; 0
 * elsewhere). {@code CompilationMXBean.getTotalCompilationTime} is elapsed time, which stretches
 * when the compiler threads wait for a core; this is the CPU they took from the contenders.
 */
final class JitCpu {
    private static final Path TASKS = Path.of("/proc/self/task");

    private JitCpu() {
    }

    /** Nanoseconds of CPU the C1 and C2 compiler threads alive now have used. */
    static long nanos() {
        return nanos(TASKS);
    }

    /** The same for the JVM of process {@code pid}. */
    static long nanos(long pid) {
        return nanos(Path.of("/proc", Long.toString(pid), "task"));
    }

    private static long nanos(Path taskDir) {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(taskDir)) {
            for (Path t : tasks) {
                try {
                    String comm = Files.readString(t.resolve("comm")).trim();
                    if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
                        // schedstat: time on a CPU (ns), time waiting for one (ns), timeslices
                        sum += Long.parseLong(Files.readString(t.resolve("schedstat")).split(" ")[0]);
                    }
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between listing and reading
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return sum;
    }
}
