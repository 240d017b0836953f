package dev.flotilla.migrate.dir;

import static dev.flotilla.migrate.dir.Dirs.summed;
import static dev.flotilla.migrate.dir.Dirs.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.tar.TarUtils;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/**
 * What other tar tools write and Flotilla must read as they do, or refuse where they disagree.
 * The archives are built with Commons Compress' own writer, entry by entry.
 */
class TarReaderTest {
    private static final String LONG = "20240721101205_" + "a_long_description_".repeat(6) + ".sql";

    /** Writes one archive; {@code body} adds its entries. */
    private interface Body {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    private static byte[] tar(Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, 512, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            body.write(tar);
            tar.finish();
        }
        return bytes.toByteArray();
    }

    private static void entry(TarArchiveOutputStream tar, String name, byte type, byte[] data) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setSize(data.length);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream tar, String name, String content) throws IOException {
        entry(tar, name, TarConstants.LF_NORMAL, utf8(content));
    }

    /** A local PAX header with {@code records}, each {@code "key=value"}. */
    private static void pax(TarArchiveOutputStream tar, String... records) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (String record : records) {
            int body = utf8(record).length + 2;
            int length = body + String.valueOf(body).length();
            length += String.valueOf(length).length() - String.valueOf(body).length();
            data.writeBytes(utf8(length + " " + record + "\n"));
        }
        entry(tar, "PaxHeaders.0/x", TarConstants.LF_PAX_EXTENDED_HEADER_LC, data.toByteArray());
    }

    private static void gnuLongName(TarArchiveOutputStream tar, byte[] name) throws IOException {
        entry(tar, TarConstants.GNU_LONGLINK, TarConstants.LF_GNUTYPE_LONGNAME, Arrays.copyOf(name, name.length + 1));
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(byte[] tar) {
        return assertThatThrownBy(() -> MigrationDirectory.fromArchive(tar))
                .isInstanceOf(FlotillaException.class)
                .satisfies(e -> assertThat(((FlotillaException) e).code()).isEqualTo(ErrorCode.DIRECTORY_INVALID));
    }

    @Test
    void readsPastAGlobalHeaderThatOnlyCommentsAsGitArchiveWritesIt() throws IOException {
        byte[] tar = tar(t -> {
            TarArchiveEntry global = new TarArchiveEntry("pax_global_header", TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER);
            global.addPaxHeader("comment", "3c5a1e0f9d");
            t.putArchiveEntry(global);
            file(t, "1_a.sql", "A;");
        });

        assertThat(Tar.read(tar)).extracting(Tar.Entry::name).containsExactly("1_a.sql");
    }

    @Test
    void refusesAGlobalHeaderThatRenamesEveryEntry() throws IOException {
        byte[] tar = tar(t -> {
            pax(t, "path=1_a.sql");
            file(t, "whatever", "A;");
        });
        // Commons Compress writes only its own global headers, so the local one is made global.
        tar[TarConstants.LF_OFFSET] = TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER;
        Arrays.fill(tar, TarConstants.CHKSUM_OFFSET, TarConstants.CHKSUM_OFFSET + TarConstants.CHKSUMLEN, (byte) ' ');
        TarUtils.formatCheckSumOctalBytes(TarUtils.computeCheckSum(Arrays.copyOf(tar, Tar.BLOCK)), tar,
                TarConstants.CHKSUM_OFFSET, TarConstants.CHKSUMLEN);

        assertRefused(tar).hasMessageContaining("global PAX header that renames or resizes every entry");
    }

    @Test
    void takesTheSizeOfAPaxHeaderAsTarDoes() throws IOException {
        byte[] tar = tar(t -> {
            pax(t, "size=2");
            entry(t, "1_a.sql", TarConstants.LF_NORMAL, utf8("A;\0\0"));
        });

        assertThat(Tar.read(tar)).singleElement().satisfies(e -> assertThat(e.content()).isEqualTo(utf8("A;")));
    }

    @Test
    void keepsTheLeadingSlashOfAGnuLongNameAndSoRefusesIt() throws IOException {
        byte[] tar = tar(t -> file(t, "/" + LONG, "A;"));

        assertRefused(tar).hasMessageContaining("\"/" + LONG + "\" in the archive is not a plain file name");
    }

    @Test
    void refusesAGnuLongNameWithANulInsideWhichTarReadersCutDifferently() throws IOException {
        byte[] tar = tar(t -> {
            gnuLongName(t, utf8("1_a.sql\0../../x.sql"));
            file(t, "stand-in", "A;");
        });

        assertRefused(tar).hasMessageContaining("is not a plain file name");
    }

    @Test
    void refusesAnEntryNamedByAPaxPathAndAGnuLongName() throws IOException {
        byte[] tar = tar(t -> {
            gnuLongName(t, utf8("1_a.sql"));
            pax(t, "path=2_b.sql");
            file(t, "stand-in", "A;");
        });

        assertRefused(tar).hasMessageContaining("named more than once (\"1_a.sql\", \"2_b.sql\")");
    }

    @Test
    void refusesAnEntryNamedByTwoPaxHeaders() throws IOException {
        byte[] tar = tar(t -> {
            pax(t, "path=1_a.sql");
            pax(t, "path=2_b.sql");
            file(t, "stand-in", "A;");
        });

        assertRefused(tar).hasMessageContaining("named more than once");
    }

    @Test
    void refusesAnEmptyPaxPathWhichReadersTakeForTheStandInOrForNoName() throws IOException {
        byte[] tar = tar(t -> {
            pax(t, "path=");
            file(t, "1_a.sql", "A;");
        });

        assertRefused(tar).hasMessageContaining("\"\" in the archive is not a plain file name");
    }

    @Test
    void refusesASparseFile() throws IOException {
        byte[] tar = tar(t -> {
            pax(t, "GNU.sparse.size=2", "GNU.sparse.map=0,2");
            file(t, "1_a.sql", "A;");
        });

        assertRefused(tar).hasMessageContaining("\"1_a.sql\" is a sparse file");
    }

    @Test
    void readsAnArchiveWithoutItsEndBlocksAsTarDoes() {
        byte[] tar = summed("1_a.sql", "A;").toArchive();

        byte[] cut = Arrays.copyOf(tar, tar.length - 2 * Tar.BLOCK);

        assertThat(MigrationDirectory.fromArchive(cut).files()).extracting(MigrationFile::name).containsExactly("1_a.sql");
    }

    @Test
    void refusesAnArchiveCutInTheLastFilesPaddingAsTarDoes() {
        byte[] tar = summed("1_a.sql", "A;").toArchive();

        assertRefused(Arrays.copyOf(tar, tar.length - 2 * Tar.BLOCK - 100)).hasMessageContaining("truncated");
    }

    @Test
    void aLongNameThatNamesNoEntryIsIgnoredAsTarIgnoresIt() throws IOException {
        byte[] tar = tar(t -> {
            file(t, "1_a.sql", "A;");
            gnuLongName(t, new byte[] {'2', '_', (byte) 0xFF, '.', 's', 'q', 'l'});
        });

        assertThat(Tar.read(tar)).extracting(Tar.Entry::name).isEqualTo(List.of("1_a.sql"));
    }
}
