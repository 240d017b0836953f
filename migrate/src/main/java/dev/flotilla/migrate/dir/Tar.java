package dev.flotilla.migrate.dir;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A minimal tar codec for registry archives, in plain JDK code. Writes POSIX ustar entries (mode
 * 0600, like Atlas' {@code append2Tar}), with a PAX {@code path} record when a name is longer than
 * 100 bytes or not ASCII. Reads ustar, PAX ({@code path}) and GNU long-name archives; entries that
 * are not regular files are refused, and so are file names that are not valid UTF-8 (atlas.sum hashes
 * names as UTF-8, so such a name could not be kept as sent). Entry names are checked by the caller.
 */
final class Tar {
    static final int BLOCK = 512;
    private static final int NAME_LEN = 100;
    private static final int CHECKSUM_OFFSET = 148;
    private static final int TYPE_OFFSET = 156;
    private static final int MAGIC_OFFSET = 257;
    private static final int PREFIX_OFFSET = 345;
    private static final byte[] USTAR_MAGIC = {'u', 's', 't', 'a', 'r', 0};

    /** One regular file of an archive. */
    record Entry(String name, byte[] content) {
    }

    /** A parsed header block; {@code rawName} is the name field (after the ustar prefix, if any) as stored. */
    private record Header(byte[] rawName, long size, char type) {
        /** The name for messages, malformed UTF-8 shown as U+FFFD. */
        String name() {
            return new String(rawName, StandardCharsets.UTF_8);
        }
    }

    private Tar() {
    }

    /** Writes {@code entries} in order, followed by the two zero blocks that end an archive. */
    static byte[] write(List<Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Entry entry : entries) {
            writeEntry(out, entry);
        }
        out.write(new byte[2 * BLOCK], 0, 2 * BLOCK);
        return out.toByteArray();
    }

    private static void writeEntry(ByteArrayOutputStream out, Entry entry) {
        byte[] name = entry.name().getBytes(StandardCharsets.UTF_8);
        if (name.length > NAME_LEN || !isAscii(name)) {
            byte[] pax = paxRecord("path", entry.name());
            writeBlockAndData(out, header("PaxHeaders.0/" + asciiName(name), pax.length, 'x'), pax);
            name = asciiName(name).getBytes(StandardCharsets.US_ASCII);
        }
        writeBlockAndData(out, header(new String(name, StandardCharsets.US_ASCII), entry.content().length, '0'),
                entry.content());
    }

    private static void writeBlockAndData(ByteArrayOutputStream out, byte[] header, byte[] data) {
        out.write(header, 0, BLOCK);
        out.write(data, 0, data.length);
        int padding = padding(data.length);
        out.write(new byte[padding], 0, padding);
    }

    private static byte[] header(String name, long size, char type) {
        byte[] block = new byte[BLOCK];
        put(block, 0, NAME_LEN, name.getBytes(StandardCharsets.US_ASCII));
        putOctal(block, 100, 8, 0600);
        putOctal(block, 108, 8, 0);
        putOctal(block, 116, 8, 0);
        putOctal(block, 124, 12, size);
        putOctal(block, 136, 12, 0);
        block[TYPE_OFFSET] = (byte) type;
        put(block, MAGIC_OFFSET, 6, USTAR_MAGIC);
        put(block, 263, 2, new byte[] {'0', '0'});
        putOctal(block, 329, 8, 0);
        putOctal(block, 337, 8, 0);
        putOctal(block, CHECKSUM_OFFSET, 7, checksum(block));
        block[CHECKSUM_OFFSET + 7] = ' ';
        return block;
    }

    /** A PAX record {@code "<len> <key>=<value>\n"}, where {@code len} counts the whole record. */
    private static byte[] paxRecord(String key, String value) {
        int body = key.length() + 1 + value.getBytes(StandardCharsets.UTF_8).length + 1 + 1;
        int length = body + String.valueOf(body).length();
        if (String.valueOf(length).length() != String.valueOf(body).length()) {
            length++;
        }
        return (length + " " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads the regular files of {@code tar}, in archive order.
     *
     * @throws FlotillaException with {@code DIRECTORY_INVALID} when the bytes are not a tar archive, are
     *                           truncated, or hold an entry that is not a regular file
     */
    static List<Entry> read(byte[] tar) {
        List<Entry> entries = new ArrayList<>();
        String longName = null;
        int pos = 0;
        while (pos < tar.length && !isZeroBlock(tar, pos)) {
            Header header = parseHeader(tar, pos);
            byte[] data = data(tar, pos + BLOCK, header);
            pos += BLOCK + data.length + padding(data.length);
            String name = longName != null ? longName : header.name();
            switch (header.type()) {
                case 'x' -> longName = paxPath(data, longName);
                case 'L' -> longName = utf8Name(Arrays.copyOf(data, cLength(data, 0, data.length)));
                case 'g', 'K' -> {
                    // Global PAX headers and GNU long link names do not name a regular file.
                }
                case '0', '\0' -> {
                    entries.add(new Entry(longName != null ? longName : utf8Name(header.rawName()), data));
                    longName = null;
                }
                default -> throw invalid("archive entry \"" + name + "\" is " + describe(header.type())
                        + "; a migration archive may only hold regular files (atlas.sum and *.sql)");
            }
        }
        return entries;
    }

    private static Header parseHeader(byte[] tar, int pos) {
        if (pos + BLOCK > tar.length) {
            throw truncated();
        }
        byte[] block = Arrays.copyOfRange(tar, pos, pos + BLOCK);
        long stored = parseOctal(block, CHECKSUM_OFFSET, 8);
        if (stored != checksum(block) && stored != signedChecksum(block)) {
            throw invalid("not a tar archive: the header at byte " + pos + " has a bad checksum; "
                    + "expected an archive made by 'atlas migrate push' or MigrationDirectory.toArchive()");
        }
        byte[] name = Arrays.copyOf(block, cLength(block, 0, NAME_LEN));
        boolean ustar = Arrays.equals(Arrays.copyOfRange(block, MAGIC_OFFSET, MAGIC_OFFSET + 6), USTAR_MAGIC);
        int prefixLength = ustar ? cLength(block, PREFIX_OFFSET, 155) : 0;
        if (prefixLength > 0) {
            ByteArrayOutputStream full = new ByteArrayOutputStream();
            full.write(block, PREFIX_OFFSET, prefixLength);
            full.write('/');
            full.write(name, 0, name.length);
            name = full.toByteArray();
        }
        return new Header(name, parseOctal(block, 124, 12), (char) (block[TYPE_OFFSET] & 0xFF));
    }

    private static byte[] data(byte[] tar, int start, Header header) {
        if (header.size() < 0 || header.size() > tar.length - (long) start) {
            throw truncated();
        }
        return Arrays.copyOfRange(tar, start, start + (int) header.size());
    }

    /** The {@code path} of a PAX extended header, or {@code current} when it has none. */
    private static String paxPath(byte[] data, String current) {
        String path = current;
        int pos = 0;
        while (pos < data.length) {
            int space = indexOf(data, (byte) ' ', pos);
            int length = space < 0 ? -1 : parseDecimal(data, pos, space);
            if (length <= 0 || pos + length > data.length || data[pos + length - 1] != '\n') {
                throw invalid("archive has a malformed PAX header; it was not written by a tar tool");
            }
            String record = new String(data, space + 1, pos + length - 1 - (space + 1), StandardCharsets.UTF_8);
            if (record.startsWith("path=")) {
                int value = space + 1 + "path=".length();
                path = utf8Name(Arrays.copyOfRange(data, value, pos + length - 1));
            }
            pos += length;
        }
        return path;
    }

    private static long parseOctal(byte[] block, int offset, int length) {
        if ((block[offset] & 0x80) != 0) {
            throw invalid("archive entry is too large (base-256 size field); migration files must be small text files");
        }
        long value = 0;
        for (int i = offset; i < offset + length; i++) {
            byte b = block[i];
            if (b >= '0' && b <= '7') {
                value = value * 8 + (b - '0');
            } else if (b != ' ' && b != 0) {
                throw invalid("not a tar archive: bad numeric field in a header; expected an archive made by "
                        + "'atlas migrate push' or MigrationDirectory.toArchive()");
            }
        }
        return value;
    }

    private static int parseDecimal(byte[] data, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            if (data[i] < '0' || data[i] > '9' || value > 1_000_000) {
                return -1;
            }
            value = value * 10 + (data[i] - '0');
        }
        return to > from ? value : -1;
    }

    private static long checksum(byte[] block) {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += inChecksumField(i) ? ' ' : block[i] & 0xFF;
        }
        return sum;
    }

    private static long signedChecksum(byte[] block) {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += inChecksumField(i) ? ' ' : block[i];
        }
        return sum;
    }

    private static boolean inChecksumField(int i) {
        return i >= CHECKSUM_OFFSET && i < CHECKSUM_OFFSET + 8;
    }

    private static String describe(char type) {
        return switch (type) {
            case '1' -> "a hard link";
            case '2' -> "a symbolic link";
            case '3' -> "a character device";
            case '4' -> "a block device";
            case '5' -> "a directory";
            case '6' -> "a FIFO";
            default -> "of tar type '" + type + "'";
        };
    }

    private static void put(byte[] block, int offset, int length, byte[] value) {
        System.arraycopy(value, 0, block, offset, Math.min(length, value.length));
    }

    /** Zero-padded octal digits filling the field but its last byte, which stays NUL. */
    private static void putOctal(byte[] block, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, length - 1 - digits.length())) + digits;
        put(block, offset, length - 1, padded.getBytes(StandardCharsets.US_ASCII));
    }

    /** The length of the NUL-terminated string at {@code offset} within a field of {@code length} bytes. */
    private static int cLength(byte[] bytes, int offset, int length) {
        int end = offset;
        while (end < offset + length && bytes[end] != 0) {
            end++;
        }
        return end - offset;
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
                    + " (atlas.sum hashes names as UTF-8) and build the archive again");
        }
    }

    /** A printable ASCII stand-in of at most 100 bytes for the ustar name field of a PAX entry. */
    private static String asciiName(byte[] name) {
        StringBuilder ascii = new StringBuilder();
        for (int i = 0; i < name.length && ascii.length() < NAME_LEN - "PaxHeaders.0/".length(); i++) {
            ascii.append(name[i] >= ' ' && name[i] < 0x7F ? (char) name[i] : '_');
        }
        return ascii.toString();
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isZeroBlock(byte[] tar, int pos) {
        for (int i = pos; i < Math.min(tar.length, pos + BLOCK); i++) {
            if (tar[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static int padding(int length) {
        return (BLOCK - length % BLOCK) % BLOCK;
    }

    private static FlotillaException truncated() {
        return invalid("the archive is truncated; download or build it again");
    }

    private static FlotillaException invalid(String message) {
        return new FlotillaException(ErrorCode.DIRECTORY_INVALID, message);
    }
}
