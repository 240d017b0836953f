package dev.flotilla.migrate.dir;

import static dev.flotilla.migrate.dir.Dirs.files;
import static dev.flotilla.migrate.dir.Dirs.summed;
import static dev.flotilla.migrate.dir.Dirs.unsummed;
import static dev.flotilla.migrate.dir.Dirs.utf8;
import static dev.flotilla.migrate.dir.Dirs.withSumOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SortedMap;
import java.util.TreeMap;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void readsOnlySqlFilesDirectlyInsideInLexicographicOrder() throws IOException {
        Files.writeString(dir.resolve("20240721101205_init.sql"), "CREATE TABLE t(c int);");
        Files.writeString(dir.resolve("10_late.sql"), "SELECT 10;");
        Files.writeString(dir.resolve("2_two.sql"), "SELECT 2;");
        Files.writeString(dir.resolve("notes.txt"), "not a migration");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub").resolve("3_nested.sql"), "SELECT 3;");

        MigrationDirectory directory = MigrationDirectory.open(dir);

        assertThat(directory.files()).extracting(MigrationFile::name)
                .containsExactly("10_late.sql", "20240721101205_init.sql", "2_two.sql");
        assertThat(directory.latestVersion()).isEqualTo("2");
        assertThat(directory.sumFile()).isEmpty();
    }

    @Test
    void splitsNamesIntoVersionAndDescriptionAsAtlasDoes() {
        MigrationDirectory directory = unsummed("20240721101205_init.sql", "", "7.sql", "",
                "8_add_users_table.sql", "");

        assertThat(directory.file("20240721101205").description()).isEqualTo("init");
        assertThat(directory.file("7").description()).isEmpty();
        assertThat(directory.file("8").description()).isEqualTo("add_users_table");
    }

    @Test
    void exposesContentAsBytesAndUtf8Text() {
        MigrationFile file = unsummed("1_a.sql", "INSERT INTO t VALUES ('é');").file("1");

        assertThat(file.text()).isEqualTo("INSERT INTO t VALUES ('é');");
        assertThat(file.content()).isEqualTo(utf8("INSERT INTO t VALUES ('é');"));
        file.content()[0] = 'X';
        assertThat(file.text()).startsWith("INSERT");
    }

    @Test
    void ordersFilesByUtf8BytesWhateverTheMapOrder() {
        SortedMap<String, byte[]> reversed = new TreeMap<>(Comparator.reverseOrder());
        reversed.putAll(files("1_a.sql", "", "2_b.sql", "", "2_\uFF21.sql", "", "2_\uD83D\uDE00.sql", ""));

        MigrationDirectory directory = MigrationDirectory.of(reversed, null);

        assertThat(directory.files()).extracting(MigrationFile::name)
                .containsExactly("1_a.sql", "2_b.sql", "2_\uFF21.sql", "2_\uD83D\uDE00.sql");
    }

    @Test
    void anEmptyDirectoryHasNoLatestVersionAndValidatesWithoutAtlasSum() {
        MigrationDirectory directory = MigrationDirectory.open(dir);

        assertThat(directory.files()).isEmpty();
        assertThat(directory.latestVersion()).isNull();
        assertThatCode(directory::validate).doesNotThrowAnyException();
    }

    @Test
    void validatesADirectoryWhoseSumWasWrittenByWriteSum() throws IOException {
        Files.writeString(dir.resolve("1_a.sql"), "A;");
        Files.writeString(dir.resolve("2_b.sql"), "B;");
        MigrationDirectory.open(dir).writeSum(dir);

        MigrationDirectory directory = MigrationDirectory.open(dir);

        assertThatCode(directory::validate).doesNotThrowAnyException();
        assertThat(Files.readAllBytes(dir.resolve("atlas.sum"))).isEqualTo(directory.computeSum().toBytes());
    }

    @Test
    void writeSumReplacesAStaleSum() throws IOException {
        Files.writeString(dir.resolve("1_a.sql"), "A;");
        MigrationDirectory.open(dir).writeSum(dir);
        Files.writeString(dir.resolve("1_a.sql"), "A2;");

        MigrationDirectory.open(dir).writeSum(dir);

        assertThatCode(MigrationDirectory.open(dir)::validate).doesNotThrowAnyException();
    }

    @Test
    void refusesMissingAtlasSumWhenFilesExistAndSaysHowToCreateIt() throws IOException {
        Files.writeString(dir.resolve("1_a.sql"), "A;");

        assertInvalid(MigrationDirectory.open(dir), ErrorCode.CHECKSUM_MISMATCH)
                .hasMessage("atlas.sum not found in " + dir + ": run 'flotilla migrate hash --dir file://" + dir
                        + "' to create it");
    }

    @Test
    void namesTheFirstEditedFileAndTheFix() {
        MigrationDirectory before = unsummed("1_a.sql", "A;", "2_b.sql", "B;", "3_c.sql", "C;");
        MigrationDirectory after = withSumOf(before, "1_a.sql", "A;", "2_b.sql", "B!;", "3_c.sql", "C!;");

        assertInvalid(after, ErrorCode.CHECKSUM_MISMATCH)
                .hasMessageStartingWith("checksum mismatch: file \"2_b.sql\" was edited since atlas.sum was written; "
                        + "if the change is intended, run 'flotilla migrate hash --dir file://");
    }

    @Test
    void namesAFileInsertedBeforeExistingOnesAsAdded() {
        MigrationDirectory before = unsummed("1_a.sql", "A;", "3_c.sql", "C;");
        MigrationDirectory after = withSumOf(before, "1_a.sql", "A;", "2_b.sql", "B;", "3_c.sql", "C;");

        assertInvalid(after, ErrorCode.CHECKSUM_MISMATCH).hasMessageContaining("file \"2_b.sql\" was added");
    }

    @Test
    void namesARemovedFile() {
        MigrationDirectory before = unsummed("1_a.sql", "A;", "2_b.sql", "B;", "3_c.sql", "C;");
        MigrationDirectory after = withSumOf(before, "1_a.sql", "A;", "3_c.sql", "C;");

        assertInvalid(after, ErrorCode.CHECKSUM_MISMATCH).hasMessageContaining("file \"2_b.sql\" was removed");
    }

    @Test
    void aRenamedFileIsReportedAsTheOldNameRemovedWhenItStillSortsLater() {
        MigrationDirectory before = unsummed("1_a.sql", "A;", "2_b.sql", "B;");
        MigrationDirectory after = withSumOf(before, "1_a.sql", "A;", "2_c.sql", "B;");

        assertInvalid(after, ErrorCode.CHECKSUM_MISMATCH).hasMessageContaining("file \"2_b.sql\" was removed");
    }

    @Test
    void refusesAnAtlasSumTamperedByHandInTheDirectory() throws IOException {
        Files.writeString(dir.resolve("1_a.sql"), "A;");
        MigrationDirectory.open(dir).writeSum(dir);
        String sum = Files.readString(dir.resolve("atlas.sum"));
        Files.writeString(dir.resolve("atlas.sum"), sum.replace("1_a.sql h1:", "1_a.sql h1:x"));

        MigrationDirectory directory = MigrationDirectory.open(dir);

        assertThatThrownBy(directory::sumFile).isInstanceOf(FlotillaException.class);
        assertInvalid(directory, ErrorCode.CHECKSUM_MISMATCH)
                .hasMessageStartingWith("checksum mismatch: atlas.sum in " + dir + " was modified by hand");
    }

    @Test
    void refusesDuplicateVersionsNamingBothFiles() {
        assertInvalid(summed("1_a.sql", "A;", "1_b.sql", "B;"), ErrorCode.DIRECTORY_INVALID)
                .hasMessageStartingWith("duplicate version \"1\" in the in-memory directory: "
                        + "files \"1_a.sql\" and \"1_b.sql\" both have it");
    }

    @Test
    void lookingUpADuplicatedVersionIsRefused() {
        MigrationDirectory directory = summed("1_a.sql", "A;", "1_b.sql", "B;");

        assertThatThrownBy(() -> directory.file("1")).hasMessageContaining("duplicate version \"1\"");
    }

    @Test
    void refusesAnEmptyVersion() {
        assertInvalid(summed("_x.sql", "A;"), ErrorCode.DIRECTORY_INVALID)
                .hasMessageContaining("\"_x.sql\"")
                .hasMessageContaining("empty version")
                .hasMessageContaining("\"20240721101205_x.sql\"");
    }

    @Test
    void refusesANameWithoutSqlSuffix() {
        assertInvalid(summed("1_a.txt", "A;"), ErrorCode.DIRECTORY_INVALID)
                .hasMessageContaining("\"1_a.txt\"")
                .hasMessageContaining("does not end in .sql");
    }

    @Test
    void refusesAFileNameWithAPathInMemory() {
        assertThatThrownBy(() -> unsummed("../1_a.sql", "A;"))
                .isInstanceOf(FlotillaException.class)
                .hasMessageContaining("\"../1_a.sql\"")
                .hasMessageContaining("not a plain file name");
    }

    @Test
    void refusesAtlasSumPassedAsAMigrationFile() {
        assertThatThrownBy(() -> unsummed("atlas.sum", "h1:x"))
                .isInstanceOf(FlotillaException.class)
                .hasMessageContaining("atlas.sum was given as a migration file");
    }

    @Test
    void validateReportsABadDirectiveNamingTheFile() {
        assertInvalid(summed("1_a.sql", "-- atlas:txmode never\n\nSELECT 1;"), ErrorCode.DIRECTORY_INVALID)
                .hasMessageContaining("\"1_a.sql\"")
                .hasMessageContaining("\"never\"");
    }

    @Test
    void lookingUpAnUnknownVersionNamesTheRange() {
        MigrationDirectory directory = summed("1_a.sql", "A;", "2_b.sql", "B;");

        assertThatThrownBy(() -> directory.file("9"))
                .isInstanceOf(FlotillaException.class)
                .hasMessageContaining("no migration file has version \"9\"")
                .hasMessageContaining("from \"1\" to \"2\"");
    }

    @Test
    void openingAMissingDirectoryNamesItAndTheFlag() {
        Path missing = dir.resolve("nope");

        assertThatThrownBy(() -> MigrationDirectory.open(missing))
                .isInstanceOf(FlotillaException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("--dir");
    }

    @Test
    void openingRefusesADirectoryNamedLikeAMigration() throws IOException {
        Files.createDirectory(dir.resolve("1_a.sql"));

        assertThatThrownBy(() -> MigrationDirectory.open(dir))
                .isInstanceOf(FlotillaException.class)
                .hasMessageContaining("1_a.sql is not a regular file");
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertInvalid(MigrationDirectory directory,
            ErrorCode code) {
        return assertThatThrownBy(directory::validate)
                .isInstanceOf(FlotillaException.class)
                .satisfies(e -> assertThat(((FlotillaException) e).code()).isEqualTo(code));
    }
}
