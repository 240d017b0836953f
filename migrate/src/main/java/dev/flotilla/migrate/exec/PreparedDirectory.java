package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.HashFile;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.dir.MigrationFile;
import dev.flotilla.migrate.sql.Dialect;
import dev.flotilla.migrate.sql.Statement;
import dev.flotilla.migrate.sql.StatementSplitter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A migration directory split into statements for one dialect, with every hash computed once.
 * Immutable and thread-safe: a worker prepares a directory version once and applies it to
 * thousands of targets without re-parsing.
 */
public final class PreparedDirectory {
    private final MigrationDirectory directory;
    private final Dialect dialect;
    private final List<PreparedFile> files;
    private final Map<String, PreparedFile> byVersion;

    private PreparedDirectory(MigrationDirectory directory, Dialect dialect, List<PreparedFile> files) {
        this.directory = directory;
        this.dialect = dialect;
        this.files = Collections.unmodifiableList(files);
        Map<String, PreparedFile> m = new LinkedHashMap<>();
        files.forEach(f -> m.put(f.version(), f));
        this.byVersion = Collections.unmodifiableMap(m);
    }

    /**
     * Splits every file of {@code dir} for {@code dialect}.
     *
     * @throws FlotillaException {@link ErrorCode#SQL_PARSE_ERROR} naming the file and line
     */
    public static PreparedDirectory of(MigrationDirectory dir, Dialect dialect) {
        HashFile sum = dir.computeSum();
        List<PreparedFile> out = new ArrayList<>();
        for (MigrationFile f : dir.files()) {
            List<Statement> stmts = split(f, dialect);
            List<String> texts = new ArrayList<>(stmts.size());
            stmts.forEach(s -> texts.add(s.text()));
            String hash = sum.hashOf(f.name());
            out.add(new PreparedFile(f, List.copyOf(stmts), PartialHashes.of(texts), hash == null ? "" : hash));
        }
        return new PreparedDirectory(dir, dialect, out);
    }

    private static List<Statement> split(MigrationFile f, Dialect dialect) {
        try {
            return StatementSplitter.split(f.text(), dialect, f.directives().delimiter());
        } catch (FlotillaException e) {
            throw new FlotillaException(e.code(), "file \"" + f.name() + "\": " + e.getMessage(), e);
        }
    }

    public MigrationDirectory directory() {
        return directory;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Files in execution (lexicographic) order. */
    public List<PreparedFile> files() {
        return files;
    }

    /** The file with this version, or null. */
    public PreparedFile file(String version) {
        return byVersion.get(version);
    }

    /** The last file's version, or null for an empty directory. */
    public String latestVersion() {
        return files.isEmpty() ? null : files.get(files.size() - 1).version();
    }

    /**
     * One file, split.
     *
     * @param file the file
     * @param statements its statements in order
     * @param partialHashes the running hash after each statement, as Atlas stores them
     * @param hash its atlas.sum hash without {@code h1:} (empty for {@code sum ignore} files)
     */
    public record PreparedFile(MigrationFile file, List<Statement> statements, List<String> partialHashes,
            String hash) {
        public String version() {
            return file.version();
        }

        public String name() {
            return file.name();
        }
    }
}
