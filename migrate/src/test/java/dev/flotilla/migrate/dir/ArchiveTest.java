package dev.flotilla.migrate.dir;

import static dev.flotilla.migrate.dir.Dirs.summed;
import static dev.flotilla.migrate.dir.Dirs.unsummed;
import static dev.flotilla.migrate.dir.Dirs.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArchiveTest {

    private static final String LONG_NAME = "20240721101205_a_really_long_description_that_pushes_the_name_past"
            + "_the_one_hundred_byte_ustar_limit_of_tar.sql";

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = ArchiveTest.class.getResourceAsStream("/dir/archives/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void roundTripsFilesAndAtlasSum() {
        MigrationDirectory original = summed("1_init.sql", "CREATE TABLE t(c int);\n", "2_add.sql", "",
                "3_proc.sql", "-- atlas:delimiter //\n" + "x".repeat(1500) + "//");

        MigrationDirectory copy = MigrationDirectory.fromArchive(original.toArchive());

        assertThat(copy.files()).extracting(MigrationFile::name)
                .containsExactly("1_init.sql", "2_add.sql", "3_proc.sql");
        for (MigrationFile file : original.files()) {
            assertThat(copy.file(file.version()).content()).isEqualTo(file.content());
        }
        assertThat(copy.sumFile()).isEqualTo(original.sumFile());
        assertThatCode(copy::validate).doesNotThrowAnyException();
    }

    @Test
    void writesAtlasSumFirstThenTheFilesInOrder() {
        byte[] tar = summed("2_b.sql", "B;", "1_a.sql", "A;").toArchive();

        assertThat(Tar.read(tar)).extracting(Tar.Entry::name).containsExactly("atlas.sum", "1_a.sql", "2_b.sql");
        assertThat(new String(tar, 0, 9, StandardCharsets.US_ASCII)).isEqualTo("atlas.sum");
        assertThat(tar.length % Tar.BLOCK).isZero();
    }

    @Test
    void anArchiveWithoutAtlasSumHasOnlyTheFilesAndFailsValidation() {
        MigrationDirectory copy = MigrationDirectory.fromArchive(unsummed("1_a.sql", "A;").toArchive());

        assertThat(copy.sumFile()).isEmpty();
        assertThatThrownBy(copy::validate).hasMessageStartingWith("atlas.sum not found in the archive");
    }

    @Test
    void anEmptyDirectoryArchivesToTwoZeroBlocks() {
        byte[] tar = unsummed().toArchive();

        assertThat(tar).hasSize(2 * Tar.BLOCK);
        assertThat(MigrationDirectory.fromArchive(tar).files()).isEmpty();
    }

    @Test
    void roundTripsLongAndNonAsciiNamesThroughPaxHeaders() {
        MigrationDirectory original = summed(LONG_NAME, "A;", "3_caf\u00e9.sql", "B;");

        MigrationDirectory copy = MigrationDirectory.fromArchive(original.toArchive());

        assertThat(copy.files()).extracting(MigrationFile::name).containsExactly(LONG_NAME, "3_caf\u00e9.sql");
    }

    @Test
    void readsAnArchiveLaidOutLikeAtlasArchiveDir() throws IOException {
        MigrationDirectory directory = MigrationDirectory.fromArchive(fixture("ustar-like-atlas.tar"));

        assertThat(directory.files()).extracting(MigrationFile::name).containsExactly("1_init.sql", "2_add.sql");
        assertThat(directory.file("1").text()).isEqualTo("CREATE TABLE t(c int);\n");
        assertThatCode(directory::validate).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pax-long-names.tar", "gnu-long-names.tar"})
    void readsLongNamesWrittenByOtherTarTools(String fixture) throws IOException {
        MigrationDirectory directory = MigrationDirectory.fromArchive(fixture(fixture));

        assertThat(directory.files()).extracting(MigrationFile::name)
                .containsExactly("1_init.sql", LONG_NAME, "3_caf\u00e9.sql");
        assertThatCode(directory::validate).doesNotThrowAnyException();
    }

    @Test
    void refusesASymlinkEntry() throws IOException {
        assertRefused(fixture("evil-symlink.tar"))
                .hasMessageContaining("\"1_init.sql\" is a symbolic link")
                .hasMessageContaining("only hold regular files");
    }

    @Test
    void refusesADirectoryEntry() throws IOException {
        assertRefused(fixture("evil-directory.tar")).hasMessageContaining("\"1_init.sql/\" is a directory");
    }

    @Test
    void refusesAParentDirectoryEntry() throws IOException {
        assertRefused(fixture("evil-dotdot.tar")).hasMessageContaining("\"../1_init.sql\" in the archive is not a "
                + "plain file name");
    }

    @Test
    void refusesAnAbsoluteEntry() throws IOException {
        assertRefused(fixture("evil-absolute.tar")).hasMessageContaining("\"/tmp/1_init.sql\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", ".", "sub/1_a.sql", "/1_a.sql", "..\\1_a.sql"})
    void refusesEntryNamesThatAreNotPlainFileNames(String name) {
        byte[] tar = Tar.write(List.of(new Tar.Entry(name, utf8("SELECT 1;"))));

        assertRefused(tar).hasMessageContaining("not a plain file name");
    }

    @Test
    void refusesAnEntryThatAppearsTwice() {
        byte[] tar = Tar.write(List.of(new Tar.Entry("1_a.sql", utf8("A;")), new Tar.Entry("1_a.sql", utf8("B;"))));

        assertRefused(tar).hasMessageContaining("holds \"1_a.sql\" twice");
    }

    @Test
    void ignoresRegularFilesThatAreNotMigrationsAsAtlasDoes() {
        byte[] tar = Tar.write(List.of(new Tar.Entry("README.md", utf8("hi")), new Tar.Entry("1_a.sql", utf8("A;"))));

        assertThat(MigrationDirectory.fromArchive(tar).files()).extracting(MigrationFile::name)
                .containsExactly("1_a.sql");
    }

    @Test
    void refusesATruncatedArchive() {
        byte[] tar = summed("1_a.sql", "x".repeat(2000)).toArchive();

        assertRefused(Arrays.copyOf(tar, 1500)).hasMessageContaining("truncated");
    }

    @Test
    void refusesBytesThatAreNotATar() {
        assertRefused(utf8("h1:this is not a tar archive".repeat(30))).hasMessageContaining("not a tar archive");
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(byte[] tar) {
        return assertThatThrownBy(() -> MigrationDirectory.fromArchive(tar))
                .isInstanceOf(FlotillaException.class)
                .satisfies(e -> assertThat(((FlotillaException) e).code()).isEqualTo(ErrorCode.DIRECTORY_INVALID));
    }
}
