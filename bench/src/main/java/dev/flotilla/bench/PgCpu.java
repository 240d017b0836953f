package dev.flotilla.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of the local database servers, read from {@code /proc}: every live {@code postgres}
 * process, plus the postmaster's reaped children (the backends of connections already closed),
 * and the local MariaDB or MySQL server ({@code mariadbd}, {@code mysqld}: one process, its
 * threads included), which the database-per-tenant MariaDB fleets run on. Linux only; 0
 * elsewhere. Counts every client of the servers, not only this benchmark's.
 */
final class PgCpu {
    /** Clock ticks per second of {@code /proc/<pid>/stat} times (USER_HZ, 100 on Linux). */
    private static final long TICK_NANOS = 10_000_000L;

    private PgCpu() {
    }

    static long nanos() {
        long ticks = 0;
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                ticks += ticks(p);
            }
        } catch (IOException e) {
            return 0;
        }
        return ticks * TICK_NANOS;
    }

    private static long ticks(Path proc) {
        String stat;
        try {
            stat = Files.readString(proc.resolve("stat"), StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return 0; // gone, or not ours to read
        }
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
            return 0;
        }
        String comm = stat.substring(open + 1, close);
        boolean mysql = comm.startsWith("mariadbd") || comm.startsWith("mysqld");
        if (!comm.startsWith("postgres") && !mysql) {
            return 0;
        }
        String[] f = stat.substring(close + 2).split(" ");
        if (mysql) {
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
        // f[0] = state, f[1] = ppid, f[11..14] = utime, stime, cutime, cstime
        long own = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        boolean postmaster = !isPostgres(Path.of("/proc", f[1]));
        return postmaster ? own + Long.parseLong(f[13]) + Long.parseLong(f[14]) : own;
    }

    private static boolean isPostgres(Path proc) {
        try {
            return Files.readString(proc.resolve("comm"), StandardCharsets.US_ASCII).startsWith("postgres");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
