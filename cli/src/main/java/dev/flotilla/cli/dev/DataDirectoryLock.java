package dev.flotilla.cli.dev;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The one process that owns a {@code flotilla dev} data directory, held from before its embedded
 * Kafka and PostgreSQL start until after they stopped. Without it a second {@code flotilla dev} on
 * the same {@code --data-dir} did harm before it failed: it stopped the first one's PostgreSQL as
 * an orphan (its {@code postmaster.pid} named a live server), and its KRaft controller opened the
 * first one's metadata log, which left the first broker's raft thread spinning and its shutdown
 * hanging. An operating-system file lock ({@code <data-dir>/dev.lock}) goes with the process,
 * however it ends, so a killed {@code flotilla dev} leaves nothing to clean up; the file names
 * the process that holds it, for the error the next one prints.
 */
final class DataDirectoryLock implements AutoCloseable {
    static final String FILE = "dev.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes {@code dataDir} for this process, creating it if missing.
     *
     * @throws FlotillaException when another process (or another server in this JVM) holds it
     */
    static DataDirectoryLock acquire(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(dataDir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this JVM
            }
            if (lock == null) {
                String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
                throw new FlotillaException(ErrorCode.CONFIG_INVALID, "the data directory " + dataDir
                        + " is in use by another 'flotilla dev'" + (holder.isEmpty() ? "" : " (" + holder + ")")
                        + "; stop that one first, or give this one a --data-dir of its own");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + ", started "
                    + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            return new DataDirectoryLock(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "cannot lock the data directory " + dataDir
                    + " (" + file + "): " + e.getMessage() + "; check that it is a writable directory", e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // the channel's close below releases it as well
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing left to do: the process's end releases the lock
            }
        }
    }
}
