package dev.flotilla.migrate.dir;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.tar.TarUtils;

/**
 * Reads a registry archive with Commons Compress, as tar readers read it (ustar names and
 * prefixes, PAX headers, GNU long names), under Flotilla's rules:
 *
 * <ul>
 *   <li>only regular files ({@code '0'} or NUL type, not sparse); a directory, link, device, FIFO
 *       or any other type is refused, naming the entry;</li>
 *   <li>names are kept exactly as stored and must be UTF-8: atlas.sum hashes names as UTF-8, and a
 *       lenient decoding would turn distinct names into one. Commons Compress decodes PAX values
 *       leniently and strips a leading {@code /} from PAX and GNU names, so those names are taken
 *       from the header data it read, not from the entry it returns;</li>
 *   <li>an entry named twice (two PAX paths, two GNU long names, or one of each) and a global PAX
 *       header that renames or resizes every entry are refused: tar readers disagree on what they
 *       mean, and no archive may mean one thing to Flotilla and another to tar;</li>
 *   <li>no entry is larger than what is left of the archive, and every header has a valid checksum
 *       and a plain octal size.</li>
 * </ul>
 *
 * Not thread-safe; one instance reads one archive.
 */
final class TarReader extends TarArchiveInputStream {
    private static final String PATH = "path";
    private static final int SIZE_OFFSET = TarConstants.NAMELEN + TarConstants.MODELEN + TarConstants.UIDLEN
            + TarConstants.GIDLEN;
    private static final String REBUILD = "expected an archive made by 'atlas migrate push' or "
            + "MigrationDirectory.toArchive()";

    private final ByteArrayInputStream source;
    /** The data of the PAX headers read for the coming entry, one buffer per header; global ones apart. */
    private final List<ByteArrayOutputStream> localPax = new ArrayList<>();
    private final List<ByteArrayOutputStream> globalPax = new ArrayList<>();
    /** The GNU long names read for the coming entry, as stored. */
    private final List<byte[]> longNames = new ArrayList<>();
    private TarArchiveEntry paxHeader;

    private TarReader(ByteArrayInputStream source) {
        // ISO-8859-1 maps every byte to one char, so ustar names reach rawName() exactly as stored;
        // lenient: mode, owner and time fields do not matter to a migration file and are not checked.
        super(source, TarConstants.DEFAULT_BLKSIZE, TarConstants.DEFAULT_RCDSIZE,
                StandardCharsets.ISO_8859_1.name(), true);
        this.source = source;
    }

    /** See {@link Tar#read(byte[])}. */
    static List<Tar.Entry> entries(byte[] tar) {
        List<Tar.Entry> entries = new ArrayList<>();
        try (TarReader in = new TarReader(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e = in.next(); e != null; e = in.next()) {
                entries.add(in.regularFile(e));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("closing an in-memory archive failed", e);
        }
        return entries;
    }

    /** The next entry with its header data collected, or null at the end of the archive. */
    private TarArchiveEntry next() {
        localPax.clear();
        globalPax.clear();
        longNames.clear();
        TarArchiveEntry e;
        try {
            e = getNextEntry();
        } catch (IOException | IllegalArgumentException ex) { // IllegalArgumentException: a bad number in a header
            throw refusal(ex);
        }
        for (ByteArrayOutputStream global : globalPax) {
            if (lastValue(global.toByteArray(), PATH) != null || lastValue(global.toByteArray(), "size") != null) {
                throw invalid("archive has a global PAX header that renames or resizes every entry, which tar"
                        + " readers apply differently; " + REBUILD, null);
            }
        }
        return e;
    }

    private Tar.Entry regularFile(TarArchiveEntry e) {
        byte[] rawName = rawName(e);
        byte type = e.getLinkFlag();
        if ((type != TarConstants.LF_NORMAL && type != TarConstants.LF_OLDNORM) || e.isDirectory() || e.isSparse()) {
            throw invalid("archive entry \"" + new String(rawName, StandardCharsets.UTF_8) + "\" is "
                    + describe(e) + "; a migration archive may only hold regular files (atlas.sum and *.sql)", null);
        }
        String name = utf8Name(rawName);
        if (e.getSize() > source.available()) {
            throw truncated(null);
        }
        try {
            byte[] content = readNBytes((int) e.getSize());
            if (content.length != e.getSize()) {
                throw truncated(null);
            }
            return new Tar.Entry(name, content);
        } catch (IOException ex) {
            throw refusal(ex);
        }
    }

    /** The entry's name as stored: from its one PAX path or GNU long name, else from the ustar header. */
    private byte[] rawName(TarArchiveEntry e) {
        List<byte[]> names = new ArrayList<>(longNames);
        for (ByteArrayOutputStream pax : localPax) {
            byte[] path = lastValue(pax.toByteArray(), PATH);
            if (path != null) {
                names.add(path);
            }
        }
        if (names.size() > 1) {
            List<String> shown = names.stream().map(TarReader::shown).toList();
            throw invalid("archive entry is named more than once (" + String.join(", ", shown) + ") by PAX and GNU"
                    + " long-name headers, and tar readers disagree on which name wins; " + REBUILD, null);
        }
        return names.isEmpty() ? e.getName().getBytes(StandardCharsets.ISO_8859_1) : names.get(0);
    }

    /**
     * Keeps the data of PAX headers as Commons Compress reads it: it decodes their values itself,
     * and rawName() needs the bytes.
     */
    @Override
    public int read(byte[] buf, int offset, int length) throws IOException {
        int n = super.read(buf, offset, length);
        TarArchiveEntry current = getCurrentEntry();
        if (n > 0 && current != null && (current.isPaxHeader() || current.isGlobalPaxHeader())) {
            List<ByteArrayOutputStream> buffers = current.isGlobalPaxHeader() ? globalPax : localPax;
            if (current != paxHeader) {
                paxHeader = current;
                buffers.add(new ByteArrayOutputStream());
            }
            buffers.get(buffers.size() - 1).write(buf, offset, n);
        }
        return n;
    }

    /** Keeps GNU long names as stored (Commons Compress strips a leading '/' from the name it sets). */
    @Override
    protected byte[] getLongNameData() throws IOException {
        boolean name = getCurrentEntry().isGNULongNameEntry();
        byte[] data = super.getLongNameData();
        if (name && data != null) {
            longNames.add(data);
        }
        return data;
    }

    /**
     * Checks every header block as it is read: a block cut short means the archive is truncated, a
     * bad checksum that these bytes are no tar, and a base-256 size a file no migration has.
     */
    @Override
    protected byte[] readRecord() throws IOException {
        long offset = getBytesRead();
        byte[] record = super.readRecord();
        if (isAtEOF()) {
            return record; // the look past the end-of-archive block: what follows the end is not read
        }
        if (record == null && getBytesRead() > offset) {
            throw truncated(null);
        }
        if (!isEOFRecord(record)) {
            checkHeader(record, offset);
        }
        return record;
    }

    private static void checkHeader(byte[] record, long offset) {
        if (!validChecksum(record)) {
            throw invalid("not a tar archive: the header at byte " + offset + " has a bad checksum; " + REBUILD, null);
        }
        if ((record[SIZE_OFFSET] & 0x80) != 0) {
            throw invalid("archive entry is too large (base-256 size field); migration files must be small text"
                    + " files", null);
        }
    }

    private static boolean validChecksum(byte[] record) {
        try {
            return TarUtils.verifyCheckSum(record);
        } catch (IllegalArgumentException e) {
            return false; // the checksum field is not a number
        }
    }

    /** What to report when Commons Compress gave up on the archive. */
    private FlotillaException refusal(Exception e) {
        if (source.available() == 0) {
            return truncated(e);
        }
        TarArchiveEntry current = getCurrentEntry();
        if (current != null && (current.isPaxHeader() || current.isGlobalPaxHeader())) {
            return invalid("archive has a malformed PAX header; it was not written by a tar tool", e);
        }
        if (e instanceof IllegalArgumentException || e.getCause() instanceof IllegalArgumentException) {
            return invalid("not a tar archive: bad numeric field in a header; " + REBUILD, e);
        }
        return invalid("not a tar archive (" + e.getMessage() + "); " + REBUILD, e);
    }

    /**
     * The value of the last {@code key} record of PAX header data, as stored; null when there is
     * none. An empty value is returned as it is: POSIX (and Commons Compress) take it to remove the
     * key, Go's reader to set it empty, so an empty path must be refused as the empty name it is to
     * one of them. The records were parsed by Commons Compress already, so reading stops at the
     * first one it would not have taken either.
     */
    static byte[] lastValue(byte[] data, String key) {
        byte[] value = null;
        byte[] prefix = (key + "=").getBytes(StandardCharsets.UTF_8);
        int pos = 0;
        while (pos < data.length) {
            if (data[pos] == '\n') {
                pos++; // a blank line between records
                continue;
            }
            int space = indexOf(data, (byte) ' ', pos);
            int length = space < 0 ? -1 : parseDecimal(data, pos, space);
            int end = pos + length;
            if (length <= 0 || end > data.length || end <= space + 1 || data[end - 1] != '\n') {
                break;
            }
            if (startsWith(data, space + 1, prefix)) {
                int from = space + 1 + prefix.length;
                value = Arrays.copyOfRange(data, from, end - 1);
            }
            pos = end;
        }
        return value;
    }

    private static String describe(TarArchiveEntry e) {
        if (e.isSparse()) {
            return "a sparse file";
        }
        return switch (e.getLinkFlag()) {
            case '1' -> "a hard link";
            case '2' -> "a symbolic link";
            case '3' -> "a character device";
            case '4' -> "a block device";
            case '5' -> "a directory";
            case '6' -> "a FIFO";
            case '0', 0 -> "a directory"; // a regular type with a name ending in '/', as old tars wrote directories
            default -> "of tar type '" + (char) (e.getLinkFlag() & 0xFF) + "'";
        };
    }

    /**
     * An entry name decoded as strict UTF-8. A lenient decoding would turn bad bytes into U+FFFD: the
     * registry would then keep a file under a name that differs from the one sent, and distinct names
     * would collapse into one.
     */
    private static String utf8Name(byte[] name) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(name)).toString();
        } catch (CharacterCodingException e) {
            StringBuilder shown = new StringBuilder();
            for (byte b : name) {
                shown.append(b >= ' ' && b < 0x7F ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xFF));
            }
            throw invalid("archive entry name \"" + shown + "\" is not valid UTF-8; name migration files in UTF-8"
                    + " (atlas.sum hashes names as UTF-8) and build the archive again", null);
        }
    }

    /** A name for a message: quoted, cut after 100 characters. */
    private static String shown(byte[] name) {
        String text = new String(name, StandardCharsets.UTF_8);
        return "\"" + (text.length() > 100 ? text.substring(0, 100) + "…" : text) + "\"";
    }

    private static int parseDecimal(byte[] data, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            if (data[i] < '0' || data[i] > '9' || value > 100_000_000) {
                return -1;
            }
            value = value * 10 + (data[i] - '0');
        }
        return to > from ? value : -1;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] data, int at, byte[] prefix) {
        return at + prefix.length <= data.length
                && Arrays.equals(data, at, at + prefix.length, prefix, 0, prefix.length);
    }

    private static FlotillaException truncated(Exception cause) {
        return invalid("the archive is truncated; download or build it again", cause);
    }

    private static FlotillaException invalid(String message, Exception cause) {
        return new FlotillaException(ErrorCode.DIRECTORY_INVALID, message, cause);
    }
}
