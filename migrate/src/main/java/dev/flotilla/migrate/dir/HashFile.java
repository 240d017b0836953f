package dev.flotilla.migrate.dir;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The {@code atlas.sum} integrity file of a migration directory, byte-compatible with Atlas'
 * {@code HashFile}. Immutable.
 *
 * <pre>
 * h1:&lt;total&gt;
 * &lt;file&gt; h1:&lt;hash&gt;
 * </pre>
 *
 * <p>One running SHA-256 is fed every file's name and then its content, in file order; a file's
 * hash is the digest so far, so editing, inserting or renaming a file changes its line and every
 * later one. A file whose first line is {@code atlas:sum ignore} feeds only its name and gets no
 * line. The total is the SHA-256 of every line's name followed by its hash text. All hashes are
 * standard base64 with padding, written after {@code h1:}.
 */
public final class HashFile {
    static final String FILE_NAME = "atlas.sum";
    private static final String H1 = "h1:";

    private final String total;
    private final List<Entry> entries;

    /**
     * One line of {@code atlas.sum}.
     *
     * @param file the migration file name
     * @param hash the base64 running hash after this file, without {@code h1:}
     */
    public record Entry(String file, String hash) {
        /** Both values are required. */
        public Entry {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(hash, "hash");
        }
    }

    private HashFile(String total, List<Entry> entries) {
        this.total = total;
        this.entries = List.copyOf(entries);
    }

    /**
     * Computes the sum of {@code files} as Atlas' {@code NewHashFile} does.
     *
     * @param files the directory's files in directory order (see {@link MigrationDirectory#files()})
     * @return the sum, never null
     */
    public static HashFile compute(List<MigrationFile> files) {
        MessageDigest running = sha256();
        List<Entry> entries = new ArrayList<>(files.size());
        for (MigrationFile file : files) {
            running.update(utf8(file.name()));
            if (file.sumIgnored()) {
                continue;
            }
            running.update(file.bytes());
            entries.add(new Entry(file.name(), base64(snapshot(running))));
        }
        return new HashFile(totalOf(entries), entries);
    }

    /**
     * Parses {@code atlas.sum} bytes as Atlas' {@code HashFile.UnmarshalText} does: line 1 is the total,
     * every other line is split at its first {@code h1:}; a trailing {@code \r} is dropped from each line.
     *
     * @param atlasSum the file content
     * @return the parsed sum, never null
     * @throws FlotillaException with {@link ErrorCode#CHECKSUM_MISMATCH} when a line has no hash, or when the
     *                           total on line 1 does not match the lines (the file was edited by hand)
     */
    public static HashFile parse(byte[] atlasSum) {
        return parse(atlasSum, FILE_NAME, "flotilla migrate hash");
    }

    /** {@link #parse(byte[])} with messages that name the file ({@code where}) and the fix command. */
    static HashFile parse(byte[] atlasSum, String where, String hashCommand) {
        List<String> lines = lines(new String(atlasSum, StandardCharsets.UTF_8));
        String declared = lines.isEmpty() ? "" : stripPrefix(lines.get(0), H1);
        List<Entry> entries = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            entries.add(parseLine(lines.get(i), i + 1, where, hashCommand));
        }
        if (!declared.equals(totalOf(entries))) {
            throw new FlotillaException(ErrorCode.CHECKSUM_MISMATCH, "checksum mismatch: " + where
                    + " was modified by hand: its first line (the total) does not match the file lines below it; "
                    + "never edit atlas.sum, run '" + hashCommand + "' to rewrite it from the migration files");
        }
        return new HashFile(declared, entries);
    }

    private static Entry parseLine(String line, int lineNumber, String where, String hashCommand) {
        int h1 = line.indexOf(H1);
        if (h1 < 0) {
            throw new FlotillaException(ErrorCode.CHECKSUM_MISMATCH, "checksum file format invalid: line "
                    + lineNumber + " of " + where + " (\"" + line + "\") has no 'h1:' hash; never edit atlas.sum, run '"
                    + hashCommand + "' to rewrite it from the migration files");
        }
        return new Entry(DirectiveParser.goTrimSpace(line.substring(0, h1)), line.substring(h1 + H1.length()));
    }

    /** The total of line 1, base64 without {@code h1:}; never null. */
    public String total() {
        return total;
    }

    /** One entry per hashed file, in file order; unmodifiable, never null. */
    public List<Entry> entries() {
        return entries;
    }

    /**
     * The hash of {@code fileName}.
     *
     * @return the base64 hash without {@code h1:}, or null when the file has no line (absent or sum-ignored)
     */
    public String hashOf(String fileName) {
        for (Entry entry : entries) {
            if (entry.file().equals(fileName)) {
                return entry.hash();
            }
        }
        return null;
    }

    /** The exact bytes of {@code atlas.sum} as Atlas' {@code MarshalText} writes them ({@code \n} line ends). */
    public byte[] toBytes() {
        StringBuilder text = new StringBuilder(H1).append(total).append('\n');
        for (Entry entry : entries) {
            text.append(entry.file()).append(' ').append(H1).append(entry.hash()).append('\n');
        }
        return utf8(text.toString());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HashFile that && total.equals(that.total) && entries.equals(that.entries);
    }

    @Override
    public int hashCode() {
        return Objects.hash(total, entries);
    }

    @Override
    public String toString() {
        return new String(toBytes(), StandardCharsets.UTF_8);
    }

    /** Atlas' {@code HashFile.Sum}: SHA-256 over every entry's name and hash text. */
    static String totalOf(List<Entry> entries) {
        MessageDigest sha = sha256();
        for (Entry entry : entries) {
            sha.update(utf8(entry.file()));
            sha.update(utf8(entry.hash()));
        }
        return base64(sha.digest());
    }

    /** Go's {@code bufio.ScanLines}: split at {@code \n}, drop one trailing {@code \r}, no empty last line. */
    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int newline = text.indexOf('\n', start);
            int end = newline < 0 ? text.length() : newline;
            lines.add(stripSuffix(text.substring(start, end), "\r"));
            start = end + 1;
        }
        return lines;
    }

    /** Go's {@code Sum(nil)} does not reset the hash; Java's {@code digest()} does, so digest a clone. */
    private static byte[] snapshot(MessageDigest running) {
        try {
            return ((MessageDigest) running.clone()).digest();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the SHA-256 implementation of this JDK cannot be cloned", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }

    private static String base64(byte[] digest) {
        return Base64.getEncoder().encodeToString(digest);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String stripPrefix(String s, String prefix) {
        return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
    }

    private static String stripSuffix(String s, String suffix) {
        return s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
    }
}
