package dev.flotilla.migrate.dir;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An Atlas migration directory: the {@code *.sql} files directly inside it, in the byte order of
 * their names, and its {@code atlas.sum}. Immutable and thread-safe; reading never validates, call
 * {@link #validate()} before applying anything.
 */
public final class MigrationDirectory {
    private static final String HASH_COMMAND = "flotilla migrate hash --dir file://";

    private final String where;
    private final String hashCommand;
    private final List<MigrationFile> files;
    private final byte[] atlasSum;

    private MigrationDirectory(String where, String hashCommand, SortedMap<String, byte[]> files, byte[] atlasSum) {
        this.where = where;
        this.hashCommand = hashCommand;
        List<MigrationFile> list = new ArrayList<>(files.size());
        files.forEach((name, content) -> list.add(new MigrationFile(name, content)));
        this.files = List.copyOf(list);
        this.atlasSum = atlasSum == null ? null : atlasSum.clone();
    }

    /**
     * Reads the {@code *.sql} files directly inside {@code dir} (sub-directories and other files are
     * ignored, as in Atlas) and its {@code atlas.sum}, if present.
     *
     * @param dir the migration directory
     * @return the directory, never null
     * @throws FlotillaException with {@code DIRECTORY_INVALID} when {@code dir} is not a readable directory or a
     *                           {@code *.sql} entry is not a regular file
     */
    public static MigrationDirectory open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new FlotillaException(ErrorCode.DIRECTORY_INVALID, "migration directory " + dir
                    + " does not exist or is not a directory; check the --dir flag");
        }
        SortedMap<String, byte[]> files = new TreeMap<>(FileNames.ATLAS_ORDER);
        for (Path path : sqlFiles(dir)) {
            files.put(path.getFileName().toString(), read(path));
        }
        Path sum = dir.resolve(HashFile.FILE_NAME);
        byte[] sumBytes = Files.exists(sum) ? read(sum) : null;
        return new MigrationDirectory(dir.toString(), HASH_COMMAND + dir.toString().replace('\\', '/'), files,
                sumBytes);
    }

    /**
     * An in-memory directory, e.g. from the registry. Names need not be sorted by the map: files are
     * always ordered as Atlas orders them (by UTF-8 bytes).
     *
     * @param files     file name to content (no null values), e.g. {@code "1_init.sql"}; copied
     * @param atlasSum  the bytes of {@code atlas.sum}, or null when there is none; copied
     * @return the directory, never null
     * @throws FlotillaException with {@code DIRECTORY_INVALID} when a name is not a plain file name or is
     *                           {@code atlas.sum} (pass that as {@code atlasSum})
     */
    public static MigrationDirectory of(SortedMap<String, byte[]> files, byte[] atlasSum) {
        return of("the in-memory directory", files, atlasSum);
    }

    private static MigrationDirectory of(String where, Map<String, byte[]> files, byte[] atlasSum) {
        SortedMap<String, byte[]> sorted = new TreeMap<>(FileNames.ATLAS_ORDER);
        files.forEach((name, content) -> {
            FileNames.requirePlain(name, where);
            if (name.equals(HashFile.FILE_NAME)) {
                throw new FlotillaException(ErrorCode.DIRECTORY_INVALID, "atlas.sum was given as a migration "
                        + "file of " + where + "; pass its bytes as the atlasSum argument instead");
            }
            sorted.put(name, content);
        });
        return new MigrationDirectory(where, HASH_COMMAND + "<migration directory>", sorted, atlasSum);
    }

    /**
     * Reads a registry archive: a tar holding {@code atlas.sum} (first, when written by Atlas) and the
     * {@code .sql} files, as Atlas' {@code UnarchiveDir}. Other regular files are ignored, as Atlas does.
     *
     * @param tar the archive bytes
     * @return the directory, never null
     * @throws FlotillaException with {@code DIRECTORY_INVALID} when the bytes are not a tar or are truncated, or an
     *                           entry is not a regular file, is named with {@code /}, {@code ..} or an absolute path,
     *                           is not named in UTF-8, is named in a way tar readers disagree on, or repeats
     */
    public static MigrationDirectory fromArchive(byte[] tar) {
        String where = "the archive";
        Map<String, byte[]> files = new HashMap<>();
        byte[] atlasSum = null;
        for (Tar.Entry entry : Tar.read(tar)) {
            FileNames.requirePlain(entry.name(), where);
            boolean isSum = entry.name().equals(HashFile.FILE_NAME);
            if ((isSum && atlasSum != null) || files.containsKey(entry.name())) {
                throw new FlotillaException(ErrorCode.DIRECTORY_INVALID, "the archive holds \"" + entry.name()
                        + "\" twice; build it again with 'atlas migrate push' or MigrationDirectory.toArchive()");
            }
            if (isSum) {
                atlasSum = entry.content();
            } else if (entry.name().endsWith(MigrationFile.SQL_SUFFIX)) {
                files.put(entry.name(), entry.content());
            }
        }
        return of(where, files, atlasSum);
    }

    /**
     * The archive the registry stores, as Atlas' {@code ArchiveDir}: a tar with {@code atlas.sum} first
     * (the bytes read, when there was one) and then every file in directory order.
     *
     * @return the tar bytes, never null
     */
    public byte[] toArchive() {
        List<Tar.Entry> entries = new ArrayList<>();
        if (atlasSum != null) {
            entries.add(new Tar.Entry(HashFile.FILE_NAME, atlasSum));
        }
        for (MigrationFile file : files) {
            entries.add(new Tar.Entry(file.name(), file.bytes()));
        }
        return Tar.write(entries);
    }

    /** The migration files in Atlas order (by the UTF-8 bytes of their names); unmodifiable, never null. */
    public List<MigrationFile> files() {
        return files;
    }

    /**
     * The {@code atlas.sum} that was read with the directory.
     *
     * @return the parsed sum, or empty when the directory has none
     * @throws FlotillaException with {@code CHECKSUM_MISMATCH} when the file was edited by hand or is malformed
     */
    public Optional<HashFile> sumFile() {
        return atlasSum == null ? Optional.empty()
                : Optional.of(HashFile.parse(atlasSum, "atlas.sum in " + where, hashCommand));
    }

    /** The sum recomputed from the files, as {@code flotilla migrate hash} writes it; never null. */
    public HashFile computeSum() {
        return HashFile.compute(files);
    }

    /**
     * Checks that the directory can be applied: every name is {@code <version>[_<description>].sql} with a
     * non-empty version, versions are unique, {@code atlas.sum} matches the files, and every file's
     * directives are valid.
     *
     * @throws FlotillaException with {@code DIRECTORY_INVALID} for a bad name, a duplicate version or a bad
     *                           directive, and {@code CHECKSUM_MISMATCH} when {@code atlas.sum} is missing (while
     *                           there are files), edited by hand, or stale; a stale sum names the first
     *                           differing file and whether it was added, edited or removed
     */
    public void validate() {
        checkNames();
        checkUniqueVersions();
        checkSum();
        checkDirectives();
    }

    void checkNames() {
        for (MigrationFile file : files) {
            FileNames.requireMigrationName(file, where);
        }
    }

    void checkUniqueVersions() {
        Map<String, MigrationFile> seen = new HashMap<>();
        for (MigrationFile file : files) {
            MigrationFile earlier = seen.putIfAbsent(file.version(), file);
            if (earlier != null) {
                throw duplicateVersion(earlier, file);
            }
        }
    }

    /** Atlas' {@code Validate}. */
    void checkSum() {
        Optional<HashFile> onDisk = sumFile();
        if (onDisk.isEmpty()) {
            if (!files.isEmpty()) {
                throw new FlotillaException(ErrorCode.CHECKSUM_MISMATCH, "atlas.sum not found in " + where
                        + ": run '" + hashCommand + "' to create it");
            }
            return;
        }
        SumCheck.Mismatch mismatch = SumCheck.compare(onDisk.get(), computeSum());
        if (mismatch != null) {
            throw new FlotillaException(ErrorCode.CHECKSUM_MISMATCH, "checksum mismatch: file \"" + mismatch.file()
                    + "\" was " + mismatch.reason().word() + " since atlas.sum was written; if the change is "
                    + "intended, run '" + hashCommand + "' to update atlas.sum");
        }
    }

    void checkDirectives() {
        for (MigrationFile file : files) {
            file.directives();
        }
    }

    /**
     * Writes {@link #computeSum()} to {@code dir/atlas.sum}, replacing any existing file.
     *
     * @param dir the directory to write into, normally the one given to {@link #open(Path)}
     * @throws FlotillaException with {@code DIRECTORY_INVALID} when the file cannot be written
     */
    public void writeSum(Path dir) {
        Path target = dir.resolve(HashFile.FILE_NAME);
        try {
            Files.write(target, computeSum().toBytes());
        } catch (IOException e) {
            throw new FlotillaException(ErrorCode.DIRECTORY_INVALID, "cannot write " + target + ": " + e
                    + "; check that the directory exists and is writable", e);
        }
    }

    /**
     * The file with {@code version}.
     *
     * @throws FlotillaException with {@code DIRECTORY_INVALID} when no file, or more than one, has it
     */
    public MigrationFile file(String version) {
        MigrationFile found = null;
        for (MigrationFile file : files) {
            if (file.version().equals(version)) {
                if (found != null) {
                    throw duplicateVersion(found, file);
                }
                found = file;
            }
        }
        if (found == null) {
            throw new FlotillaException(ErrorCode.DIRECTORY_INVALID, "no migration file has version \"" + version
                    + "\" in " + where + describeVersions() + "; check the version or the --dir flag");
        }
        return found;
    }

    /** The version of the last file, or null when the directory has no files. */
    public String latestVersion() {
        return files.isEmpty() ? null : files.get(files.size() - 1).version();
    }

    @Override
    public String toString() {
        return where + " (" + files.size() + " files)";
    }

    private String describeVersions() {
        return files.isEmpty() ? " (it has no files)"
                : " (versions go from \"" + files.get(0).version() + "\" to \"" + latestVersion() + "\")";
    }

    private FlotillaException duplicateVersion(MigrationFile first, MigrationFile second) {
        return new FlotillaException(ErrorCode.DIRECTORY_INVALID, "duplicate version \"" + first.version()
                + "\" in " + where + ": files \"" + first.name() + "\" and \"" + second.name() + "\" both have it; "
                + "versions must be unique, rename one of them (e.g. give it a later timestamp) and run '"
                + hashCommand + "'");
    }

    private static List<Path> sqlFiles(Path dir) {
        List<Path> paths = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + MigrationFile.SQL_SUFFIX)) {
            for (Path path : stream) {
                paths.add(path);
            }
        } catch (IOException e) {
            throw new FlotillaException(ErrorCode.DIRECTORY_INVALID, "cannot list migration directory " + dir
                    + ": " + e + "; check that it exists and is readable", e);
        }
        return paths;
    }

    private static byte[] read(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new FlotillaException(ErrorCode.DIRECTORY_INVALID, path + " is not a regular file; a migration "
                    + "directory may only hold plain *.sql files (move or rename it)");
        }
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new FlotillaException(ErrorCode.DIRECTORY_INVALID, "cannot read " + path + ": " + e
                    + "; check that it is readable", e);
        }
    }
}
