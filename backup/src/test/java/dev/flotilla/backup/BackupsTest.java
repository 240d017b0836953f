package dev.flotilla.backup;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.Hashes;
import dev.flotilla.migrate.dir.MigrationDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Backups on file:// directories: the layout, verified reads, falling through to the next backup. */
class BackupsTest {
    @TempDir
    Path tmp;

    private Backups open(String... urls) {
        return Backups.open(List.of(urls), Map.of(), AnonymousCredentialsProvider.create(), () -> { });
    }

    private String url(String name) {
        return "file://" + tmp.resolve(name);
    }

    @Test
    void aPushIsWrittenAsTheDocumentedLayoutAndReadBackByTagLatestAndId() throws Exception {
        PushedVersion v = PushedVersion.of("app", "v1", Fixtures.directory(2));
        try (Backups backups = open(url("one"))) {
            assertThat(backups.write(v)).containsExactly(new BackupWrite(url("one"), null));

            Path root = tmp.resolve("one/app");
            assertThat(Files.readAllBytes(root.resolve("versions/" + v.versionId() + ".tar"))).isEqualTo(v.archive());
            assertThat(Files.readString(root.resolve("tags/v1"))).isEqualTo(v.versionId() + "\n");
            assertThat(Files.readString(root.resolve("tags/latest"))).isEqualTo(v.versionId() + "\n");
            BackupCopy byTag = backups.readTag("app", "v1");
            assertThat(byTag.versionId()).isEqualTo(v.versionId());
            assertThat(byTag.url()).isEqualTo(url("one"));
            assertThat(byTag.skipped()).isEmpty();
            assertThat(byTag.directory().files()).hasSize(2);
            assertThat(backups.readTag("app", null).versionId()).isEqualTo(v.versionId());
            assertThat(backups.read("app", v.versionId()).archive()).isEqualTo(v.archive());
        }
    }

    @Test
    void theVersionIdIsTheSha256OfTheArchiveTheRegistryStores() {
        MigrationDirectory dir = Fixtures.directory(1);
        byte[] canonical = MigrationDirectory.fromArchive(dir.toArchive()).toArchive();

        PushedVersion v = PushedVersion.of("app", null, dir);

        assertThat(v.versionId()).isEqualTo(Hashes.sha256Hex(canonical));
        assertThat(v.archive()).isEqualTo(canonical);
        assertThat(v.toString()).isEqualTo("app:latest@" + v.versionId().substring(0, 12));
    }

    @Test
    void aCorruptedArchiveIsRefusedWithTheReasonAndTheNextBackupIsRead() throws Exception {
        PushedVersion v = PushedVersion.of("app", "v1", Fixtures.directory(2));
        try (Backups backups = open(url("one"), url("two"))) {
            backups.write(v);
            Path first = tmp.resolve("one/app/versions/" + v.versionId() + ".tar");
            byte[] bytes = Files.readAllBytes(first);
            bytes[bytes.length / 3] ^= 1;
            Files.write(first, bytes);

            BackupCopy copy = backups.read("app", v.versionId());

            assertThat(copy.url()).isEqualTo(url("two"));
            assertThat(copy.archive()).isEqualTo(v.archive());
            assertThat(copy.skipped()).singleElement().asString().startsWith("backup " + url("one") + ": refused app/versions/"
                    + v.versionId() + ".tar: its SHA-256 is ").contains("not the version id it is stored under");
        }
    }

    @Test
    void anArchiveWhoseAtlasSumDoesNotCheckIsRefusedEvenWhenItsIdMatches() throws Exception {
        MigrationDirectory good = Fixtures.directory(2);
        MigrationDirectory stale = MigrationDirectory.of(new java.util.TreeMap<>(Map.of("1_t1.sql",
                "CREATE TABLE other (id int);\n".getBytes(StandardCharsets.UTF_8))), good.sumFile().orElseThrow().toBytes());
        byte[] archive = stale.toArchive();
        String id = Hashes.sha256Hex(archive);
        Path tags = Files.createDirectories(tmp.resolve("one/app/tags"));
        Files.createDirectories(tmp.resolve("one/app/versions"));
        Files.write(tmp.resolve("one/app/versions/" + id + ".tar"), archive);
        Files.writeString(tags.resolve("latest"), id + "\n");
        try (Backups backups = open(url("one"))) {
            assertThatThrownBy(() -> backups.readTag("app", null)).isInstanceOf(FlotillaException.class)
                    .hasMessageStartingWith("no backup repository has tag latest of directory app intact:\n  - "
                            + "backup " + url("one") + ": refused app/versions/" + id + ".tar: ")
                    .hasMessageContaining("checksum mismatch")
                    .satisfies(e -> assertThat(((FlotillaException) e).code()).isEqualTo(ErrorCode.CHECKSUM_MISMATCH));
        }
    }

    @Test
    void aTagFileWithoutAVersionIdIsRefused() throws Exception {
        Files.createDirectories(tmp.resolve("one/app/tags"));
        Files.writeString(tmp.resolve("one/app/tags/v1"), "../../etc/passwd\n");
        try (Backups backups = open(url("one"))) {
            assertThatThrownBy(() -> backups.readTag("app", "v1")).hasMessageContaining("backup " + url("one") + ": refused"
                    + " app/tags/v1: it holds no version id (64 hex digits)");
        }
    }

    @Test
    void whenNoBackupHasTheVersionTheErrorIsNotFoundAndNamesEachBackup() {
        try (Backups backups = open(url("one"), url("two"))) {
            FlotillaException e = org.assertj.core.api.Assertions.catchThrowableOfType(FlotillaException.class,
                    () -> backups.readTag("app", "v9"));

            assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(e.getMessage()).isEqualTo("no backup repository has tag v9 of directory app intact:\n  - "
                    + "backup " + url("one") + ": has no tag v9 of directory app\n  - backup " + url("two")
                    + ": has no tag v9 of"
                    + " directory app");
        }
    }

    @Test
    void aFailingBackupDoesNotStopTheOthers() throws Exception {
        Files.writeString(tmp.resolve("blocked"), "a file where the backup directory should be");
        PushedVersion v = PushedVersion.of("app", null, Fixtures.directory(1));
        try (Backups backups = open(url("blocked"), url("two"))) {
            List<BackupWrite> writes = backups.write(v);

            assertThat(writes.get(0).ok()).isFalse();
            assertThat(writes.get(0).error()).startsWith("backup " + url("blocked") + ": cannot write ")
                    .endsWith("; check that the directory is writable");
            assertThat(writes.get(1)).isEqualTo(new BackupWrite(url("two"), null));
            assertThat(backups.readTag("app", null).url()).isEqualTo(url("two"));
        }
    }

    @Test
    void gsAndAzureblobAreRefusedNamingTheUrlAndWhatIsSupported() {
        assertThatThrownBy(() -> open("gs://my-atlas-backups/migrations",
                "azureblob://my-container/migrations?storage_account=myaccount", url("ok")))
                .isInstanceOf(FlotillaException.class)
                .hasMessage("backup URL gs://my-atlas-backups/migrations: gs:// is not supported by flotilla; it"
                        + " supports file:///path/to/dir and s3://bucket/prefix?region=REGION (S3-compatible servers"
                        + " through ?endpoint= or AWS_ENDPOINT_URL): remove it from migration.repo.backup or use one"
                        + " of those\nbackup URL azureblob://my-container/migrations?storage_account=myaccount:"
                        + " azureblob:// is not supported by flotilla; it supports file:///path/to/dir and"
                        + " s3://bucket/prefix?region=REGION (S3-compatible servers through ?endpoint= or"
                        + " AWS_ENDPOINT_URL): remove it from migration.repo.backup or use one of those");
        assertThatThrownBy(() -> open("ftp://host/dir")).hasMessage("backup URL ftp://host/dir is not one flotilla"
                + " can open; it supports file:///path/to/dir and s3://bucket/prefix?region=REGION");
    }

    @Test
    void namesThatWouldLeaveTheRepositoryAreRefused() {
        try (Backups backups = open(url("one"))) {
            assertThatThrownBy(() -> backups.readTag("app", "..")).hasMessageContaining("invalid backup tag \"..\"");
            assertThatThrownBy(() -> backups.readTag("../app", null)).hasMessageContaining("invalid backup directory"
                    + " name \"../app\"");
            assertThatThrownBy(() -> backups.read("app", "../../x")).hasMessageContaining("invalid backup version id");
        }
    }
}
