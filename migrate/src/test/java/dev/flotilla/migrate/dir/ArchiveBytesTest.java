package dev.flotilla.migrate.dir;

import static dev.flotilla.migrate.dir.Dirs.summed;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * The registry names a version by the SHA-256 of its archive, so the writer must keep producing
 * the same bytes for the same directory: {@code written-by-flotilla.tar} holds what it wrote, laid
 * out as Go's archive/tar (Atlas' {@code ArchiveDir}) writes ustar and PAX entries.
 */
class ArchiveBytesTest {

    /** Short, empty, block-sized, multi-block, 100-byte, long and non-ASCII names. */
    static MigrationDirectory sample() {
        return summed(
                "1_init.sql", "CREATE TABLE t(c int);\n",
                "2_empty.sql", "",
                "3_caf\u00e9.sql", "SELECT 'caf\u00e9';\n",
                "4_" + "a_really_long_description_".repeat(4) + "past_the_ustar_limit.sql", "-- long\n",
                "5_block.sql", "-- " + "x".repeat(508) + "\n",
                "6_big.sql", "-- " + "y".repeat(1496) + "\n",
                "7_" + "z".repeat(94) + ".sql", "SELECT 7;\n",
                "8_\ud83d\udea2_" + "\u00fc".repeat(50) + ".sql", "SELECT 8;\n");
    }

    @Test
    void writesTheBytesItAlwaysWrote() throws IOException {
        assertThat(sample().toArchive()).isEqualTo(fixture());
    }

    @Test
    void readsWhatItWrote() throws IOException {
        MigrationDirectory copy = MigrationDirectory.fromArchive(fixture());

        assertThat(copy.files()).extracting(MigrationFile::name)
                .containsExactlyElementsOf(sample().files().stream().map(MigrationFile::name).toList());
        assertThat(copy.toArchive()).isEqualTo(fixture());
    }

    private static byte[] fixture() throws IOException {
        try (InputStream in = ArchiveBytesTest.class.getResourceAsStream("/dir/archives/written-by-flotilla.tar")) {
            return in.readAllBytes();
        }
    }
}
