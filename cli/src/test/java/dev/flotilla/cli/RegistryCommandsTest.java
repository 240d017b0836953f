package dev.flotilla.cli;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.dir.MigrationFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code migrate push} and {@code --dir atlas://...} against a canned registry. */
class RegistryCommandsTest {
    private static final String PUSHED = "{\"directory\":\"app\",\"tag\":\"v1\",\"versionId\":"
            + "\"0123456789abcdef0123\",\"latestVersion\":\"2\",\"files\":2,\"created\":%s,\"url\":\"/dirs/app?tag=v1\"}";

    @TempDir
    Path tmp;

    @RegisterExtension
    final FakeFlotilla server = new FakeFlotilla();
    private Path dir;
    private String dirUrl;

    @BeforeEach
    void setUp() throws IOException {
        dir = tmp.resolve("migrations");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("1_init.sql"), "CREATE TABLE users (id int);\n");
        Files.writeString(dir.resolve("2_names.sql"), "ALTER TABLE users ADD COLUMN name text;\n");
        MigrationDirectory.open(dir).writeSum(dir);
        dirUrl = "file://" + dir;
    }

    @Test
    void pushPostsTheTarWithAtlasSumFirstAndPrintsTheDirectoryUrl() throws IOException {
        server.json("POST", "/api/v1/dirs/app/push", 201, String.format(PUSHED, "true"));

        CliRun r = CliRun.of("migrate", "push", "app:v1", "--dir", dirUrl, "--url", server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(server.url() + "/dirs/app?tag=v1\n");
        FakeFlotilla.Request push = server.requests().get(0);
        assertThat(push.method()).isEqualTo("POST");
        assertThat(push.path()).isEqualTo("/api/v1/dirs/app/push");
        assertThat(push.query()).isEqualTo("tag=v1");
        assertThat(push.contentType()).isEqualTo("application/x-tar");
        assertThat(firstTarEntryName(push.body())).isEqualTo("atlas.sum");
        MigrationDirectory pushed = MigrationDirectory.fromArchive(push.body());
        assertThat(pushed.files()).extracting(MigrationFile::name).containsExactly("1_init.sql", "2_names.sql");
        pushed.validate();
    }

    @Test
    void identicalRePushSaysNothingChanged() {
        server.json("POST", "/api/v1/dirs/app/push", 200, String.format(PUSHED, "false"));

        CliRun r = CliRun.of("migrate", "push", "app:v1", "--dir", dirUrl, "--registry", server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("Directory app:v1 is already at version 0123456789ab; nothing changed\n"
                + server.url() + "/dirs/app?tag=v1\n");
    }

    @Test
    void pushWithoutTagLeavesTheTagToTheServer() {
        server.json("POST", "/api/v1/dirs/app/push", 201, "{\"directory\":\"app\",\"tag\":\"latest\",\"versionId\":\"ab\"}");

        CliRun r = CliRun.of("migrate", "push", "app", "--dir", dirUrl, "--url", server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(server.requests().get(0).query()).isNull();
        assertThat(r.out()).isEqualTo(server.url() + "/dirs/app?tag=latest\n");
    }

    @Test
    void pushReplaysOnTheDevDatabaseFirstAndSendsNothingWhenAFileFails() throws IOException {
        Files.writeString(dir.resolve("3_broken.sql"), "ALTER TABLE nope ADD COLUMN x int;\n");
        MigrationDirectory.open(dir).writeSum(dir);

        CliRun r = CliRun.of("migrate", "push", "app", "--dir", dirUrl, "--url", server.url(),
                "--dev-url", "sqlite://?mode=memory");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("3_broken.sql").contains("no such table: nope");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void pushRefusesAStaleSumAndABadNameBeforeSendingAnything() throws IOException {
        Files.writeString(dir.resolve("2_names.sql"), "ALTER TABLE users ADD COLUMN nick text;\n");

        CliRun stale = CliRun.of("migrate", "push", "app", "--dir", dirUrl, "--url", server.url());
        CliRun badName = CliRun.of("migrate", "push", "my app:v1", "--dir", dirUrl, "--url", server.url());

        assertThat(stale.exitCode()).isEqualTo(1);
        assertThat(stale.err()).contains("checksum mismatch").contains("2_names.sql");
        assertThat(badName.exitCode()).isEqualTo(2);
        assertThat(badName.err()).contains("\"my app\"").contains("letters, digits");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void pushRejectsTheServersErrorWithItsCode() {
        server.json("POST", "/api/v1/dirs/app/push", 400,
                "{\"error\":\"archive has no atlas.sum\",\"code\":\"CHECKSUM_MISMATCH\"}");

        CliRun r = CliRun.of("migrate", "push", "app", "--dir", dirUrl, "--url", server.url());

        assertThat(r.exitCode()).isEqualTo(ErrorCode.CHECKSUM_MISMATCH.exitCode());
        assertThat(r.err()).isEqualTo("Error: archive has no atlas.sum\n");
    }

    @Test
    void atlasDirIsDownloadedFromTheRegistryAndValidated() {
        serveArchive();
        DirOption option = new DirOption();
        option.dir = "atlas://app?tag=v1";
        option.registry = server.url();

        MigrationDirectory d = option.openValid();

        assertThat(d.files()).extracting(MigrationFile::name).containsExactly("1_init.sql", "2_names.sql");
        assertThat(d.files().get(1).text()).contains("ADD COLUMN name");
        assertThat(server.requests().get(0).path()).isEqualTo("/api/v1/dirs/app/archive");
        assertThat(server.requests().get(0).query()).isEqualTo("tag=v1");
    }

    @Test
    void validateAcceptsAnAtlasDirWithoutTag() {
        serveArchive();

        CliRun r = CliRun.of("migrate", "validate", "--dir", "atlas://app", "--registry", server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("Migration directory atlas://app is valid (2 files)\n");
        assertThat(server.requests().get(0).query()).isNull();
    }

    @Test
    void unknownTagReportsTheServersMessage() {
        server.json("GET", "/api/v1/dirs/app/archive", 404, "{\"error\":\"directory \\\"app\\\" has no tag \\\"v9\\\";"
                + " push it with 'flotilla migrate push app:v9'\"}");

        CliRun r = CliRun.of("migrate", "validate", "--dir", "atlas://app?tag=v9", "--registry", server.url());

        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).isEqualTo("Error: directory \"app\" has no tag \"v9\"; push it with"
                + " 'flotilla migrate push app:v9'\n");
    }

    @Test
    void newAndHashRefuseAnAtlasDir() {
        for (String command : new String[] {"new", "hash"}) {
            CliRun r = CliRun.of("migrate", command, "--dir", "atlas://app?tag=v1");

            assertThat(r.exitCode()).as(command).isEqualTo(2);
            assertThat(r.err()).as(command).contains("--dir atlas://app?tag=v1 names a directory in the Flotilla"
                    + " registry").contains("pass --dir file://path/to/migrations");
        }
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void atlasDirWithAnUnknownParameterIsRefused() {
        DirOption option = new DirOption();
        option.dir = "atlas://app?format=golang-migrate";

        assertThatThrownBy(option::openValid).isInstanceOf(FlotillaException.class)
                .hasMessageContaining("unsupported parameter \"format=golang-migrate\"")
                .hasMessageContaining("atlas://app?tag=TAG");
    }

    @Test
    void atlasDirPinnedToAVersionOnTheCommandLinePointsToToVersion() {
        DirOption option = new DirOption();
        option.dir = "atlas://app?version=2";

        assertThatThrownBy(option::openValid).isInstanceOf(FlotillaException.class)
                .hasMessageContaining("cap the version with --to-version 2").hasMessageContaining("atlas://app?tag=TAG");
    }

    private void serveArchive() {
        server.bytes("GET", "/api/v1/dirs/app/archive", "application/x-tar", MigrationDirectory.open(dir).toArchive(),
                Map.of("x-flotilla-version-id", "0123456789abcdef"));
    }

    private static String firstTarEntryName(byte[] tar) {
        byte[] name = Arrays.copyOf(tar, 100);
        int end = 0;
        while (end < name.length && name[end] != 0) {
            end++;
        }
        return new String(name, 0, end, StandardCharsets.US_ASCII);
    }
}
