package dev.flotilla.registry;

import dev.flotilla.migrate.dir.MigrationDirectory;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tar archives built byte by byte, independently of the product's tar code, so a test can write
 * anything a hostile client could send: any type flag, raw name bytes, a lying size field, a ustar
 * prefix, PAX and GNU long-name headers, a missing end-of-archive marker.
 */
final class TarBytes {
    static final int BLOCK = 512;
    static final int NAME = 0;
    static final int SIZE = 124;
    static final int CHECKSUM = 148;
    static final int TYPE = 156;
    static final int LINK_NAME = 157;
    static final int MAGIC = 257;
    static final int PREFIX = 345;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A regular file with an ASCII name of at most 100 bytes in the ustar name field. */
    TarBytes file(String name, String content) {
        return file(name, utf8(content));
    }

    TarBytes file(String name, byte[] content) {
        return entry(header(utf8(name), '0', content.length), content);
    }

    /** A regular file whose name field holds exactly {@code name} (no PAX header), e.g. non-UTF-8 bytes. */
    TarBytes rawFile(byte[] name, byte[] content) {
        return entry(header(name, '0', content.length), content);
    }

    /** An entry without data (link, device, directory, FIFO); {@code linkTarget} may be null. */
    TarBytes special(String name, char type, String linkTarget) {
        byte[] h = header(utf8(name), type, 0);
        if (linkTarget != null) {
            put(h, LINK_NAME, 100, utf8(linkTarget));
        }
        if (type == '3' || type == '4') {
            putOctal(h, 329, 8, 1);
            putOctal(h, 337, 8, 3);
        }
        return entry(checksummed(h), new byte[0]);
    }

    /** A PAX extended header ('x') with one record per key, for the entry that follows. */
    TarBytes pax(Map<String, byte[]> records) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        records.forEach((k, v) -> data.writeBytes(paxRecord(k, v)));
        byte[] bytes = data.toByteArray();
        return entry(header(utf8("PaxHeaders.0/x"), 'x', bytes.length), bytes);
    }

    /** A GNU long-name header ('L') for the entry that follows. */
    TarBytes gnuLongName(byte[] name) {
        byte[] data = Arrays.copyOf(name, name.length + 1);
        return entry(header(utf8("././@LongLink"), 'L', data.length), data);
    }

    /** A header block written as given, followed by {@code data} and its padding. */
    TarBytes entry(byte[] header, byte[] data) {
        out.writeBytes(header);
        out.writeBytes(data);
        out.writeBytes(new byte[padding(data.length)]);
        return this;
    }

    /** Raw bytes, e.g. garbage between entries. */
    TarBytes raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** The archive with its end-of-archive marker (two zero blocks). */
    byte[] end() {
        out.writeBytes(new byte[2 * BLOCK]);
        return out.toByteArray();
    }

    /** The archive without an end-of-archive marker. */
    byte[] noEnd() {
        return out.toByteArray();
    }

    /** A ustar header with a correct checksum. */
    static byte[] header(byte[] name, char type, long size) {
        byte[] h = new byte[BLOCK];
        put(h, NAME, 100, name);
        putOctal(h, 100, 8, 0644);
        putOctal(h, 108, 8, 1000);
        putOctal(h, 116, 8, 1000);
        putOctal(h, SIZE, 12, size);
        putOctal(h, 136, 12, 1_700_000_000L);
        h[TYPE] = (byte) type;
        put(h, MAGIC, 6, new byte[] {'u', 's', 't', 'a', 'r', 0});
        put(h, 263, 2, new byte[] {'0', '0'});
        put(h, 265, 32, utf8("ci"));
        put(h, 297, 32, utf8("ci"));
        return checksummed(h);
    }

    /** {@code h} with its checksum field recomputed (after editing other fields). */
    static byte[] checksummed(byte[] h) {
        Arrays.fill(h, CHECKSUM, CHECKSUM + 8, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        putOctal(h, CHECKSUM, 7, sum);
        h[CHECKSUM + 7] = ' ';
        return h;
    }

    static byte[] paxRecord(String key, byte[] value) {
        int body = 1 + key.length() + 1 + value.length + 1;
        int length = body + String.valueOf(body).length();
        if (String.valueOf(length).length() != String.valueOf(body).length()) {
            length++;
        }
        ByteArrayOutputStream r = new ByteArrayOutputStream();
        r.writeBytes(utf8(length + " " + key + "="));
        r.writeBytes(value);
        r.write('\n');
        return r.toByteArray();
    }

    static void put(byte[] block, int offset, int length, byte[] value) {
        Arrays.fill(block, offset, offset + length, (byte) 0);
        System.arraycopy(value, 0, block, offset, Math.min(length, value.length));
    }

    static void putOctal(byte[] block, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        put(block, offset, length, utf8("0".repeat(Math.max(0, length - 1 - digits.length())) + digits));
    }

    static int padding(int length) {
        return (BLOCK - length % BLOCK) % BLOCK;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The {@code atlas.sum} that {@code flotilla migrate hash} writes for these files (name → content). */
    static byte[] sumOf(Map<String, byte[]> files) {
        return MigrationDirectory.of(new TreeMap<>(files), null).computeSum().toBytes();
    }

    /** {@link #sumOf(Map)} for text files given as name, content, name, content, … */
    static byte[] sumOf(String... namesAndContents) {
        return sumOf(textFiles(namesAndContents));
    }

    static Map<String, byte[]> textFiles(String... namesAndContents) {
        Map<String, byte[]> files = new TreeMap<>();
        for (int i = 0; i < namesAndContents.length; i += 2) {
            files.put(namesAndContents[i], utf8(namesAndContents[i + 1]));
        }
        return files;
    }

    /** A valid archive, laid out as Atlas writes it: atlas.sum first, then the files. */
    static byte[] validArchive(String... namesAndContents) {
        TarBytes t = new TarBytes().file("atlas.sum", sumOf(namesAndContents));
        for (int i = 0; i < namesAndContents.length; i += 2) {
            t.file(namesAndContents[i], namesAndContents[i + 1]);
        }
        return t.end();
    }
}
