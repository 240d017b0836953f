package dev.flotilla.backup;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * A backup repository in a local (or mounted) directory, {@code file:///var/lib/atlas/backup}: each
 * key is a file under it. Writes go to a temporary file that is then moved into place, so a reader
 * never sees half an archive.
 */
final class FileBlobStore implements BlobStore {
    private final String url;
    private final Path root;

    FileBlobStore(String url, Path root) {
        this.url = url;
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public void put(String key, byte[] bytes) {
        Path target = resolve(key);
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            Files.write(tmp, bytes);
            move(tmp, target);
        } catch (IOException e) {
            throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "backup " + url + ": cannot write " + target
                    + ": " + e + "; check that the directory is writable");
        } finally {
            deleteQuietly(tmp);
        }
    }

    @Override
    public Optional<byte[]> get(String key) {
        Path file = resolve(key);
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "backup " + url + ": cannot read " + file + ": "
                    + e + "; check that the directory is readable");
        }
    }

    @Override
    public void close() {
        // nothing is held open
    }

    private Path resolve(String key) {
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("key " + key + " leaves " + root); // BackupLayout never builds one
        }
        return p;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path tmp) {
        if (tmp == null) {
            return;
        }
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            // a stray temporary file is harmless: readers only open final names
        }
    }

    @Override
    public String toString() {
        return "FileBlobStore[" + root + "]";
    }
}
