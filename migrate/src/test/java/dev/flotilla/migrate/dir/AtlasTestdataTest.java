package dev.flotilla.migrate.dir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Directories copied byte for byte from ariga/atlas {@code sql/migrate/testdata} (see the README next to
 * them): what Atlas wrote must be what we compute, and Atlas' own {@code TestValidate} cases must give the
 * same diagnosis.
 */
class AtlasTestdataTest {

    @TempDir
    Path tmp;

    static Path fixture(String name) {
        try {
            return Path.of(AtlasTestdataTest.class.getResource("/dir/atlas-testdata/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"migrate", "migrate/sub", "partial-checkpoint"})
    void computedSumEqualsTheAtlasSumWrittenByAtlas(String name) throws IOException {
        Path dir = fixture(name);
        MigrationDirectory directory = MigrationDirectory.open(dir);

        assertThat(directory.computeSum().toBytes()).isEqualTo(Files.readAllBytes(dir.resolve("atlas.sum")));
        assertThat(directory.sumFile()).contains(directory.computeSum());
    }

    @ParameterizedTest
    @ValueSource(strings = {"migrate/sub", "partial-checkpoint"})
    void aDirectoryMadeByAtlasValidates(String name) {
        assertThatCode(() -> MigrationDirectory.open(fixture(name)).validate()).doesNotThrowAnyException();
    }

    @Test
    void theGolangMigrateStyleUpDownPairPassesTheSumCheckButHasADuplicateVersion() {
        MigrationDirectory directory = MigrationDirectory.open(fixture("migrate"));

        assertThatCode(directory::checkSum).doesNotThrowAnyException();
        assertThatThrownBy(directory::validate)
                .isInstanceOf(FlotillaException.class)
                .hasMessageContaining("duplicate version \"1\"")
                .hasMessageContaining("\"1_initial.down.sql\" and \"1_initial.up.sql\"");
    }

    @Test
    void subDirectoriesAreNotPartOfTheParentDirectory() {
        MigrationDirectory directory = MigrationDirectory.open(fixture("migrate"));

        assertThat(directory.files()).extracting(MigrationFile::name)
                .containsExactly("1_initial.down.sql", "1_initial.up.sql");
    }

    @Test
    void freeFormVersionsAreSplitAtTheFirstUnderscore() {
        MigrationDirectory directory = MigrationDirectory.open(fixture("migrate/sub"));

        assertThat(directory.files()).extracting(MigrationFile::version).containsExactly("1.a", "2.10.x-20", "3");
        assertThat(directory.files()).extracting(MigrationFile::description)
                .containsExactly("sub.up", "description", "partly");
        assertThat(directory.latestVersion()).isEqualTo("3");
    }

    @Test
    void checkpointFilesOfAtlasAreRecognised() {
        MigrationDirectory directory = MigrationDirectory.open(fixture("partial-checkpoint"));

        assertThat(directory.files()).filteredOn(f -> f.directives().checkpoint())
                .extracting(MigrationFile::name).containsExactly("3_checkpoint.sql", "5_checkpoint.sql");
        assertThat(directory.file("3").directives().checkpointTag()).isNull();
    }

    // The cases below replay Atlas' TestValidate (sql/migrate/dir_test.go) on a copy of testdata/migrate.

    @Test
    void anAtlasSumWithoutItsFilesReportsTheFirstFileRemoved() throws IOException {
        Files.copy(fixture("migrate").resolve("atlas.sum"), tmp.resolve("atlas.sum"));

        assertMismatch("1_initial.down.sql", "removed");
    }

    @Test
    void appendingToAFileReportsItEdited() throws IOException {
        copyMigrateFixture();
        Files.writeString(tmp.resolve("1_initial.up.sql"), "something", StandardOpenOption.APPEND);

        assertMismatch("1_initial.up.sql", "edited");
    }

    @Test
    void aNewFileAtTheEndReportsItAdded() throws IOException {
        copyMigrateFixture();
        Files.writeString(tmp.resolve("2_second.sql"), "stmt");

        assertMismatch("2_second.sql", "added");
    }

    @Test
    void renamingAFileReportsTheNewNameAdded() throws IOException {
        copyMigrateFixture();
        Files.move(tmp.resolve("1_initial.up.sql"), tmp.resolve("1_first.up.sql"));

        assertMismatch("1_first.up.sql", "added");
    }

    @Test
    void removingAFileReportsItRemoved() throws IOException {
        copyMigrateFixture();
        Files.delete(tmp.resolve("1_initial.up.sql"));

        assertMismatch("1_initial.up.sql", "removed");
    }

    @Test
    void overwritingTheStartOfAtlasSumIsReportedAsModifiedByHand() throws IOException {
        copyMigrateFixture();
        byte[] sum = Files.readAllBytes(tmp.resolve("atlas.sum"));
        sum[0] = 'f';
        sum[1] = 'o';
        sum[2] = 'o';
        Files.write(tmp.resolve("atlas.sum"), sum);

        assertThatThrownBy(() -> MigrationDirectory.open(tmp).checkSum())
                .isInstanceOf(FlotillaException.class)
                .hasMessageStartingWith("checksum mismatch: atlas.sum in " + tmp + " was modified by hand")
                .hasMessageContaining("flotilla migrate hash --dir file://" + tmp);
    }

    @Test
    void appendingGarbageToAtlasSumIsAFormatError() throws IOException {
        copyMigrateFixture();
        Files.writeString(tmp.resolve("atlas.sum"), "foo", StandardOpenOption.APPEND);

        assertThatThrownBy(() -> MigrationDirectory.open(tmp).checkSum())
                .isInstanceOf(FlotillaException.class)
                .hasMessageContaining("checksum file format invalid: line 4 of atlas.sum in " + tmp)
                .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.CHECKSUM_MISMATCH);
    }

    private void assertMismatch(String file, String reason) {
        assertThatThrownBy(() -> MigrationDirectory.open(tmp).checkSum())
                .isInstanceOf(FlotillaException.class)
                .hasMessage("checksum mismatch: file \"" + file + "\" was " + reason + " since atlas.sum was "
                        + "written; if the change is intended, run 'flotilla migrate hash --dir file://" + tmp
                        + "' to update atlas.sum")
                .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.CHECKSUM_MISMATCH);
    }

    private void copyMigrateFixture() throws IOException {
        try (Stream<Path> files = Files.list(fixture("migrate"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, tmp.resolve(file.getFileName()));
            }
        }
    }
}
