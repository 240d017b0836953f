package dev.flotilla.cli.dev;

import dev.flotilla.fabric.access.Access;
import dev.flotilla.fabric.access.Grant;
import dev.flotilla.fabric.access.Scope;
import dev.flotilla.fabric.access.Tokens;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The tokens a process keeps for itself: the local admin token of {@code flotilla dev}, made on
 * first start and kept in {@code <data-dir>/admin.token} readable by its owner only, where the CLI
 * finds it; and the token with scope deploy with which the process's worker fetches directory
 * versions from its registry ({@code <data-dir>/worker.token}). A data dir whose store was reset
 * gets the same tokens stored again. Each file's token has a name of its own
 * ({@code dev-admin-<hash>}, {@code dev-worker-<hash>}), so processes with data dirs of their own
 * can share one store.
 */
final class DevToken {
    static final String FILE = "admin.token";
    static final String WORKER_FILE = "worker.token";

    private DevToken() {
    }

    /** The admin token file, created if missing; its token is stored as an admin token if it is not yet. */
    static Path ensure(Path dataDir, Access access) {
        Path file = dataDir.resolve(FILE);
        ensure(file, "dev-admin", Scope.ADMIN, access);
        return file;
    }

    /** The worker's token (scope deploy), made and stored if missing. */
    static String ensureWorker(Path dataDir, Access access) {
        return ensure(dataDir.resolve(WORKER_FILE), "dev-worker", Scope.DEPLOY, access);
    }

    private static String ensure(Path file, String name, Scope scope, Access access) {
        try {
            String token = Files.exists(file) ? Files.readString(file).trim() : null;
            if (token == null || !Tokens.wellFormed(token)) {
                token = Tokens.generate();
                write(file, token);
            }
            String hash = Tokens.hash(token);
            access.tokens().ensure(name + "-" + hash.substring(0, 8), List.of(new Grant(scope, List.of())), hash,
                    Tokens.hint(token));
            return token;
        } catch (IOException e) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "cannot keep the " + name + " token in " + file
                    + ": " + e.getMessage() + "; check that --data-dir is writable");
        }
    }

    private static void write(Path file, String token) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, token + "\n", StandardOpenOption.TRUNCATE_EXISTING);
    }
}
