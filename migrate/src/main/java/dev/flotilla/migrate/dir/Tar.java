package dev.flotilla.migrate.dir;

import dev.flotilla.migrate.FlotillaException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.tar.TarUtils;
import org.apache.commons.compress.archivers.zip.ZipEncoding;

/**
 * Registry archives, read and written with Apache Commons Compress. Writes POSIX ustar entries laid
 * out byte for byte as Go's archive/tar writes them for Atlas' {@code ArchiveDir} (mode 0600, mtime
 * 0, numeric fields ending in NUL), with a PAX {@code path} record when a name is longer than 100
 * bytes or not ASCII: the registry names a version by the hash of these bytes, so they must never
 * change. Reads what tar readers read (ustar, PAX and GNU long names) under Flotilla's rules, see
 * {@link TarReader}. Entry names are checked by the caller.
 */
final class Tar {
    static final int BLOCK = TarConstants.DEFAULT_RCDSIZE;
    private static final int MODE = 0600;
    private static final String PAX_HEADER_DIR = "PaxHeaders.0/";

    /** One regular file of an archive. */
    record Entry(String name, byte[] content) {
    }

    private Tar() {
    }

    /** Writes {@code entries} in order, followed by the two zero blocks that end an archive. */
    static byte[] write(List<Entry> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, BLOCK, StandardCharsets.UTF_8.name())) {
            // A name of exactly 100 bytes fills the ustar field without a NUL, as in Go; longer ones get
            // a PAX header from writeEntry, so Commons Compress never has to handle a long name itself.
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_TRUNCATE);
            for (Entry entry : entries) {
                writeEntry(tar, entry);
            }
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("writing a tar archive to memory failed", e);
        }
        return bytes.toByteArray();
    }

    private static void writeEntry(TarArchiveOutputStream tar, Entry entry) throws IOException {
        byte[] name = entry.name().getBytes(StandardCharsets.UTF_8);
        String headerName = entry.name();
        if (name.length > TarConstants.NAMELEN || !isAscii(name)) {
            headerName = asciiName(name);
            writeFile(tar, new GoHeader(PAX_HEADER_DIR + headerName, TarConstants.LF_PAX_EXTENDED_HEADER_LC),
                    paxRecord("path", entry.name()));
        }
        writeFile(tar, new GoHeader(headerName, TarConstants.LF_NORMAL), entry.content());
    }

    private static void writeFile(TarArchiveOutputStream tar, GoHeader header, byte[] data) throws IOException {
        header.setSize(data.length);
        tar.putArchiveEntry(header);
        tar.write(data);
        tar.closeArchiveEntry();
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

    /** A printable ASCII stand-in, short enough for the ustar name field of a PAX entry. */
    private static String asciiName(byte[] name) {
        StringBuilder ascii = new StringBuilder();
        for (int i = 0; i < name.length && ascii.length() < TarConstants.NAMELEN - PAX_HEADER_DIR.length(); i++) {
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

    /**
     * Reads the regular files of {@code tar}, in archive order.
     *
     * @throws FlotillaException with {@code DIRECTORY_INVALID} when the bytes are not a tar archive, are
     *                           truncated, hold an entry that is not a regular file or a name that is not UTF-8,
     *                           or name an entry in a way tar readers disagree on
     */
    static List<Entry> read(byte[] tar) {
        return TarReader.entries(tar);
    }

    /**
     * A header as Go's archive/tar writes it: owner 0/0 with no names, mode 0600, mtime 0, and every
     * number followed by a NUL where Commons Compress puts a space.
     */
    private static final class GoHeader extends TarArchiveEntry {
        /** Offset and length of each number Go ends with a NUL: mode, uid, gid, size, mtime, devmajor, devminor. */
        private static final int[][] NUMBERS = {{100, 8}, {108, 8}, {116, 8}, {124, 12}, {136, 12}, {329, 8},
            {337, 8}};

        GoHeader(String name, byte type) {
            super(name, type, true);
            setMode(MODE);
            setUserName("");
            setGroupName("");
            setLastModifiedTime(FileTime.fromMillis(0));
        }

        @Override
        public void writeEntryHeader(byte[] header, ZipEncoding encoding, boolean starMode) throws IOException {
            super.writeEntryHeader(header, encoding, starMode);
            for (int[] number : NUMBERS) {
                header[number[0] + number[1] - 1] = 0;
            }
            Arrays.fill(header, TarConstants.CHKSUM_OFFSET, TarConstants.CHKSUM_OFFSET + TarConstants.CHKSUMLEN,
                    (byte) ' ');
            TarUtils.formatCheckSumOctalBytes(TarUtils.computeCheckSum(header), header, TarConstants.CHKSUM_OFFSET,
                    TarConstants.CHKSUMLEN);
        }
    }
}
