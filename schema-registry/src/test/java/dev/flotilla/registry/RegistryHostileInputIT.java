package dev.flotilla.registry;

import dev.flotilla.migrate.Hashes;
import static dev.flotilla.registry.TarBytes.sumOf;
import static dev.flotilla.registry.TarBytes.utf8;
import static dev.flotilla.registry.TarBytes.validArchive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.flotilla.fabric.HttpSettings;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.ServiceHost;
import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.fabric.TopicSetup;
import dev.flotilla.fabric.access.Grant;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.dir.MigrationFile;
import dev.flotilla.protocol.Topics;
import dev.flotilla.testkit.KafkaFixture;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The issue point "hostile input to the push API gets a clear error and changes nothing", against
 * the real PostgreSQL store: every hostile archive and name is refused with a
 * {@link FlotillaException} that names the entry or the value, and {@code registry_versions} and
 * {@code registry_tags} hold exactly the rows they held before. Through HTTP as well: 413 for a body
 * over the limit, 400 with a JSON error for a hostile tar, 201 then 200 for a good push and its
 * identical re-push, and a {@code DirectoryPushed} only for the push that moved a tag.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryHostileInputIT {
    private static final int LIMIT = 64 * 1024;
    private static final String INIT = "CREATE TABLE t (c int);\n";
    private static final String ADD = "ALTER TABLE t ADD COLUMN d int;\n";
    private static final String[] GOOD = {"1_init.sql", INIT, "2_add.sql", ADD};

    private ScratchDatabase scratch;
    private ServiceStore db;
    private Registry registry;
    private KafkaFixture kafka;
    private ServiceHost host;
    private String token;
    private int port;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    void start() throws Exception {
        scratch = TestDatabases.postgresDatabase("reg");
        db = ServiceStore.connect(scratch.jdbcUrl(), null, null, 4, "test");
        registry = new Registry(new JdbcRegistryStore(db), LIMIT);
        kafka = KafkaFixture.start();
        TopicSetup.ensure(KafkaSettings.plain(kafka.bootstrapServers()));
        host = new ServiceHost(KafkaSettings.plain(kafka.bootstrapServers()), db, HttpSettings.loopback());
        token = host.access().create("hostile-input-it", List.of(Grant.parse("push")), "test").text();
        host.deploy(new RegistryService(LIMIT)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        port = host.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @BeforeEach
    void baseline() {
        // A directory with two tags, so "unchanged" is checked against real rows, not empty tables.
        registry.push("app", "v1", validArchive(GOOD));
        registry.push("app", "v0", validArchive("1_init.sql", INIT));
        registry.push("other", null, validArchive(GOOD));
    }

    @AfterAll
    void stop() {
        if (host != null) {
            host.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (db != null) {
            db.close();
        }
        if (scratch != null) {
            scratch.close();
        }
    }

    /** One hostile archive: what it is, its bytes, the code and the words the refusal must contain. */
    private static Arguments refused(String what, byte[] tar, ErrorCode code, String... words) {
        return Arguments.of(Named.of(what, tar), code, words);
    }

    static Stream<Arguments> hostileArchives() throws Exception {
        byte[] sum = sumOf(GOOD);
        return Stream.of(
                // Nothing to deploy.
                refused("an empty body", new byte[0], ErrorCode.DIRECTORY_INVALID, "the push has no body",
                        "tar archive"),
                refused("atlas.sum and no migration file", new TarBytes().file("atlas.sum", sumOf(new String[0]))
                        .file("README.md", "# notes\n").end(), ErrorCode.DIRECTORY_INVALID,
                        "holds no migration file (*.sql)"),
                refused("an empty tar", new TarBytes().end(), ErrorCode.DIRECTORY_INVALID,
                        "holds no migration file (*.sql)"),
                // Entries that are not regular files.
                refused("symlink", withSum().special("2_add.sql", '2', "/etc/passwd").end(),
                        ErrorCode.DIRECTORY_INVALID, "\"2_add.sql\" is a symbolic link", "only hold regular files"),
                refused("hard link", withSum().special("2_add.sql", '1', "../../etc/shadow").end(),
                        ErrorCode.DIRECTORY_INVALID, "\"2_add.sql\" is a hard link"),
                refused("character device", withSum().special("2_add.sql", '3', null).end(),
                        ErrorCode.DIRECTORY_INVALID, "\"2_add.sql\" is a character device"),
                refused("block device", withSum().special("2_add.sql", '4', null).end(),
                        ErrorCode.DIRECTORY_INVALID, "\"2_add.sql\" is a block device"),
                refused("directory", withSum().special("sub/", '5', null).file("2_add.sql", ADD).end(),
                        ErrorCode.DIRECTORY_INVALID, "\"sub/\" is a directory"),
                refused("FIFO", withSum().special("2_add.sql", '6', null).end(),
                        ErrorCode.DIRECTORY_INVALID, "\"2_add.sql\" is a FIFO"),
                refused("contiguous file", withSum().entry(TarBytes.header(utf8("2_add.sql"), '7', ADD.length()),
                        utf8(ADD)).end(), ErrorCode.DIRECTORY_INVALID, "\"2_add.sql\" is of tar type '7'"),
                refused("symlink named by a PAX path", withSum().pax(Map.of("path", utf8("2_add.sql")))
                        .special("whatever", '2', "/etc/passwd").end(),
                        ErrorCode.DIRECTORY_INVALID, "\"2_add.sql\" is a symbolic link"),
                // Names that leave the directory.
                refused("../x.sql", withSum().file("2_add.sql", ADD).file("../x.sql", ADD).end(),
                        ErrorCode.DIRECTORY_INVALID, "\"../x.sql\" in the archive is not a plain file name"),
                refused("/etc/x.sql", withSum().file("2_add.sql", ADD).file("/etc/x.sql", ADD).end(),
                        ErrorCode.DIRECTORY_INVALID, "\"/etc/x.sql\" in the archive is not a plain file name"),
                refused("a/../../x.sql", withSum().file("2_add.sql", ADD).file("a/../../x.sql", ADD).end(),
                        ErrorCode.DIRECTORY_INVALID, "\"a/../../x.sql\" in the archive is not a plain file name"),
                refused("..\\x.sql", withSum().file("2_add.sql", ADD).file("..\\x.sql", ADD).end(),
                        ErrorCode.DIRECTORY_INVALID, "\"..\\x.sql\" in the archive is not a plain file name"),
                refused("..", withSum().file("2_add.sql", ADD).file("..", ADD).end(),
                        ErrorCode.DIRECTORY_INVALID, "\"..\" in the archive is not a plain file name"),
                refused("ustar prefix ../../etc", withSum().file("2_add.sql", ADD)
                        .entry(withPrefix(TarBytes.header(utf8("x.sql"), '0', ADD.length()), "../../etc"), utf8(ADD))
                        .end(), ErrorCode.DIRECTORY_INVALID, "\"../../etc/x.sql\" in the archive is not a plain file"),
                refused("PAX path ../../x.sql over a harmless name", withSum().pax(Map.of("path",
                        utf8("../../x.sql"))).file("2_add.sql", ADD).end(),
                        ErrorCode.DIRECTORY_INVALID, "\"../../x.sql\" in the archive is not a plain file name"),
                refused("PAX path /etc/cron.d/2_add.sql", withSum().pax(Map.of("path",
                        utf8("/etc/cron.d/2_add.sql"))).file("2_add.sql", ADD).end(),
                        ErrorCode.DIRECTORY_INVALID, "\"/etc/cron.d/2_add.sql\" in the archive is not a plain"),
                refused("PAX path with a NUL", withSum().pax(Map.of("path", utf8("2_add.sql\0../../x")))
                        .file("2_add.sql", ADD).end(), ErrorCode.DIRECTORY_INVALID, "is not a plain file name"),
                refused("GNU long name ../../…/x.sql", withSum().gnuLongName(utf8("../".repeat(40) + "x.sql"))
                        .file("2_add.sql", ADD).end(), ErrorCode.DIRECTORY_INVALID,
                        "\"" + "../".repeat(40) + "x.sql\" in the archive is not a plain file name"),
                // Names that are not UTF-8: the sum hashes names as UTF-8, so such a name cannot be kept as sent.
                refused("non-UTF-8 name", withSum().rawFile(bytes("2_", 0xFF, 0xFE, "add.sql"), utf8(ADD)).end(),
                        ErrorCode.DIRECTORY_INVALID, "\"2_\\xff\\xfeadd.sql\"", "not valid UTF-8"),
                refused("non-UTF-8 name whose sum was computed over U+FFFD", new TarBytes()
                        .file("atlas.sum", sumOf("1_init.sql", INIT, "2_\uFFFD\uFFFDadd.sql", ADD))
                        .file("1_init.sql", INIT).rawFile(bytes("2_", 0xFF, 0xFE, "add.sql"), utf8(ADD)).end(),
                        ErrorCode.DIRECTORY_INVALID, "\"2_\\xff\\xfeadd.sql\"", "not valid UTF-8"),
                refused("non-UTF-8 PAX path", withSum().pax(Map.of("path", bytes("2_", 0xC3, 0x28, "add.sql")))
                        .file("2_add.sql", ADD).end(),
                        ErrorCode.DIRECTORY_INVALID, "\"2_\\xc3(add.sql\"", "not valid UTF-8"),
                refused("non-UTF-8 GNU long name", withSum().gnuLongName(bytes("2_", 0xED, 0xA0, 0x80, "add.sql"))
                        .file("2_add.sql", ADD).end(),
                        ErrorCode.DIRECTORY_INVALID, "\"2_\\xed\\xa0\\x80add.sql\"", "not valid UTF-8"),
                // Archives that are broken or lie about sizes.
                refused("truncated in a file's data", Arrays.copyOf(validArchive("1_init.sql", "x".repeat(3000)),
                        512 + 512 + 512 + 1500), ErrorCode.DIRECTORY_INVALID, "the archive is truncated"),
                refused("truncated in a header", Arrays.copyOf(validArchive(GOOD), 512 + 512 + 100),
                        ErrorCode.DIRECTORY_INVALID, "the archive is truncated"),
                refused("entry claiming 8 GiB", withSum().entry(sized(TarBytes.header(utf8("2_add.sql"), '0', 0),
                        "77777777777"), utf8(ADD)).end(), ErrorCode.DIRECTORY_INVALID, "the archive is truncated"),
                refused("entry claiming one byte more than there is", Arrays.copyOf(withSum()
                        .entry(TarBytes.header(utf8("2_add.sql"), '0', ADD.length() + 1), utf8(ADD)).noEnd(),
                        5 * 512 + ADD.length()),
                        ErrorCode.DIRECTORY_INVALID, "the archive is truncated"),
                refused("base-256 size", withSum().entry(base256Size(TarBytes.header(utf8("2_add.sql"), '0', 0)),
                        utf8(ADD)).end(), ErrorCode.DIRECTORY_INVALID, "too large (base-256 size field)"),
                refused("size field that is not octal", withSum().entry(sized(TarBytes.header(utf8("2_add.sql"),
                        '0', 0), "0000000004x"), utf8(ADD)).end(), ErrorCode.DIRECTORY_INVALID,
                        "bad numeric field"),
                refused("bad header checksum", withBadChecksum(validArchive(GOOD)), ErrorCode.DIRECTORY_INVALID,
                        "the header at byte 1024 has a bad checksum"),
                refused("not a tar at all", utf8("PK\u0003\u0004 this is a zip file, not a tar ".repeat(40)),
                        ErrorCode.DIRECTORY_INVALID, "not a tar archive"),
                refused("malformed PAX header", withSum().entry(TarBytes.header(utf8("PaxHeaders.0/x"), 'x', 12),
                        utf8("99 path=x.sq")).file("2_add.sql", ADD).end(), ErrorCode.DIRECTORY_INVALID,
                        "malformed PAX header"),
                refused("archive over the limit", validArchive("1_init.sql", "-- " + "x".repeat(LIMIT) + "\n"),
                        ErrorCode.DIRECTORY_INVALID, "over the registry's limit of " + LIMIT + " bytes"),
                // atlas.sum tampered with, or not matching the files.
                refused("a tampered atlas.sum line", new TarBytes().file("atlas.sum", tamperLine(sum, 3, false))
                        .file("1_init.sql", INIT).file("2_add.sql", ADD).end(), ErrorCode.CHECKSUM_MISMATCH,
                        "atlas.sum in the archive was modified by hand"),
                refused("a tampered line with a total to match", new TarBytes().file("atlas.sum",
                        tamperLine(sum, 3, true)).file("1_init.sql", INIT).file("2_add.sql", ADD).end(),
                        ErrorCode.CHECKSUM_MISMATCH, "file \"2_add.sql\" was edited"),
                refused("a tampered total", new TarBytes().file("atlas.sum", tamperTotal(sum))
                        .file("1_init.sql", INIT).file("2_add.sql", ADD).end(), ErrorCode.CHECKSUM_MISMATCH,
                        "was modified by hand"),
                refused("a file edited after hashing", new TarBytes().file("atlas.sum", sum).file("1_init.sql", INIT)
                        .file("2_add.sql", ADD + "DROP TABLE t;\n").end(), ErrorCode.CHECKSUM_MISMATCH,
                        "file \"2_add.sql\" was edited"),
                refused("a file added without hashing", withSum().file("2_add.sql", ADD).file("3_new.sql", "X;")
                        .end(), ErrorCode.CHECKSUM_MISMATCH, "file \"3_new.sql\" was added"),
                refused("a file removed", withSum().end(), ErrorCode.CHECKSUM_MISMATCH,
                        "file \"2_add.sql\" was removed"),
                refused("no atlas.sum", new TarBytes().file("1_init.sql", INIT).end(), ErrorCode.CHECKSUM_MISMATCH,
                        "atlas.sum not found in the archive"),
                refused("a sum line without h1:", new TarBytes().file("atlas.sum", "h1:x\n1_init.sql abc\n")
                        .file("1_init.sql", INIT).end(), ErrorCode.CHECKSUM_MISMATCH,
                        "line 2 of atlas.sum in the archive (\"1_init.sql abc\") has no 'h1:' hash"),
                // Directory content that atlas.sum cannot vouch for.
                refused("duplicate versions 1_a.sql + 1_b.sql", validArchive("1_a.sql", INIT, "1_b.sql", ADD),
                        ErrorCode.DIRECTORY_INVALID, "duplicate version \"1\"", "\"1_a.sql\" and \"1_b.sql\""),
                refused("the same entry twice", withSum().file("2_add.sql", ADD).file("2_add.sql", "DROP TABLE t;")
                        .end(), ErrorCode.DIRECTORY_INVALID, "holds \"2_add.sql\" twice"),
                refused("atlas.sum twice", withSum().file("2_add.sql", ADD).file("atlas.sum", sumOf("1_init.sql",
                        INIT)).end(), ErrorCode.DIRECTORY_INVALID, "holds \"atlas.sum\" twice"),
                refused("an empty version", validArchive("1_init.sql", INIT, "_add.sql", ADD),
                        ErrorCode.DIRECTORY_INVALID, "\"_add.sql\" in the archive has an empty version"),
                refused("txmode all in a file", validArchive("1_init.sql", INIT, "2_add.sql",
                        "-- atlas:txmode all\n\n" + ADD), ErrorCode.DIRECTORY_INVALID,
                        "\"2_add.sql\" sets '-- atlas:txmode all'"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("hostileArchives")
    void aHostileArchiveIsRefusedNamingTheProblemAndChangesNothing(byte[] tar, ErrorCode code, String[] words) {
        RegistryTables before = RegistryTables.read(scratch);

        for (String tag : new String[] {"v1", "v2", null}) {
            FlotillaException e = catchThrowableOfType(FlotillaException.class, () -> registry.push("app", tag, tar));
            assertThat(e).as("push with tag %s", tag).isNotNull();
            assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
            assertThat(e.getMessage()).contains(words);
        }

        assertThat(RegistryTables.read(scratch)).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x'; DROP TABLE registry_tags; --", "app'; DELETE FROM registry_versions; --",
        "app\" OR \"1\"=\"1", "app; TRUNCATE registry_versions CASCADE", "../app", "app/../other", "app/..", "a pp",
        "app\n", "app\u0000", "\u00e1pp", "$(rm -rf /)", "app%27", ""})
    void aHostileDirectoryNameIsRefusedNamingItAndChangesNothing(String name) {
        RegistryTables before = RegistryTables.read(scratch);

        assertThatThrownBy(() -> registry.push(name, "v1", validArchive(GOOD)))
                .isInstanceOfSatisfying(FlotillaException.class, e -> assertThat(e.code())
                        .isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("invalid directory name \"" + name + "\"");

        assertThat(RegistryTables.read(scratch)).isEqualTo(before);
    }

    @Test
    void aDirectoryNameOverTheLengthLimitIsRefused() {
        RegistryTables before = RegistryTables.read(scratch);
        String name = "a".repeat(129);

        assertThatThrownBy(() -> registry.push(name, "v1", validArchive(GOOD)))
                .isInstanceOf(FlotillaException.class).hasMessageContaining("invalid directory name \"" + name + "\"")
                .hasMessageContaining("at most 128");
        assertThat(registry.push("a".repeat(128), "v1", validArchive(GOOD)).fileCount()).isEqualTo(2);
        RegistryTables after = RegistryTables.read(scratch);
        assertThat(after.versions()).isEqualTo(before.versions());
        assertThat(after.tags()).hasSize(before.tags().size() + 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1'; DROP TABLE registry_versions; --", "v1' OR '1'='1", "v1\"", "'", "v 1", " v1",
        "v1/..", "..", ".", "../v1", "../../etc/passwd", "v1/../v2", "a/b", "..\\v1", "v1;--", "v1\r\nX-Injected: 1",
        "v1\u0000", "v\u00e9", "v1%2F..", "t\u200b"})
    void aHostileTagIsRefusedNamingItAndChangesNothing(String tag) {
        RegistryTables before = RegistryTables.read(scratch);

        assertThatThrownBy(() -> registry.push("app", tag, validArchive(GOOD)))
                .isInstanceOfSatisfying(FlotillaException.class, e -> assertThat(e.code())
                        .isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("invalid tag \"" + tag + "\"");

        assertThat(RegistryTables.read(scratch)).isEqualTo(before);
    }

    @Test
    void aTagOverTheLengthLimitIsRefused() {
        RegistryTables before = RegistryTables.read(scratch);

        assertThatThrownBy(() -> registry.push("app", "t".repeat(129), validArchive(GOOD)))
                .isInstanceOf(FlotillaException.class).hasMessageContaining("invalid tag \"" + "t".repeat(129) + "\"");
        assertThat(RegistryTables.read(scratch)).isEqualTo(before);
    }

    @Test
    void anArchiveExactlyAtTheLimitIsStoredAndOneByteMoreIsNot() {
        byte[] atLimit = archiveOfExactly(LIMIT);
        byte[] over = Arrays.copyOf(atLimit, LIMIT + 1);
        RegistryTables before = RegistryTables.read(scratch);

        assertThatThrownBy(() -> registry.push("app", "big", over)).isInstanceOf(FlotillaException.class)
                .hasMessageContaining("archive of " + (LIMIT + 1) + " bytes is over the registry's limit of " + LIMIT);
        assertThat(RegistryTables.read(scratch)).isEqualTo(before);

        PushResult r = registry.push("app", "big", atLimit);
        assertThat(r.fileCount()).isEqualTo(1);
        assertThat(registry.store().byTag("app", "big")).get()
                .satisfies(v -> assertThat(MigrationDirectory.fromArchive(v.archive()).files())
                        .extracting(MigrationFile::name).containsExactly("1_big.sql"));
    }

    @Test
    void validNamesThatLookLikeSqlAreStoredVerbatimAndQueriedAsData() {
        // The rules let these through; they must reach PostgreSQL as bound values and come back unchanged.
        PushResult r = registry.push("x--DROP_TABLE_registry_tags", "v1.0--OR-1.1", validArchive(GOOD));

        assertThat(registry.store().byTag("x--DROP_TABLE_registry_tags", "v1.0--OR-1.1")).get()
                .extracting(RegistryStore.StoredVersion::versionId).isEqualTo(r.versionId());
        assertThat(registry.store().byTag("x--DROP_TABLE_registry_tags", "v1.0")).isEmpty();
        assertThat(registry.store().directories(0, 500).items()).extracting(RegistryStore.DirectoryInfo::name)
                .contains("app", "other", "x--DROP_TABLE_registry_tags");
    }

    // --- through HTTP ---------------------------------------------------------------------------

    @Test
    void httpABodyOverTheLimitGets413AndChangesNothing() throws Exception {
        byte[] over = Arrays.copyOf(archiveOfExactly(LIMIT), LIMIT + 1);
        RegistryTables before = RegistryTables.read(scratch);
        long events = settledEvents();

        HttpResponse<String> r = post("/api/v1/dirs/app/push?tag=big", HttpRequest.BodyPublishers.ofByteArray(over));

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(RegistryTables.read(scratch)).isEqualTo(before);
        assertThat(directoryEvents()).isEqualTo(events);
    }

    @Test
    void httpAChunkedBodyOverTheLimitGets413AndChangesNothing() throws Exception {
        byte[] over = Arrays.copyOf(archiveOfExactly(LIMIT), 4 * LIMIT);
        RegistryTables before = RegistryTables.read(scratch);
        long events = settledEvents();

        HttpResponse<String> r = post("/api/v1/dirs/app/push?tag=big",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(over)));

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(RegistryTables.read(scratch)).isEqualTo(before);
        assertThat(directoryEvents()).isEqualTo(events);
    }

    @Test
    void httpAHostileTarGets400WithAJsonErrorAndChangesNothing() throws Exception {
        RegistryTables before = RegistryTables.read(scratch);
        long events = settledEvents();

        HttpResponse<String> r = post("/api/v1/dirs/app/push?tag=v1", HttpRequest.BodyPublishers.ofByteArray(
                withSum().special("2_add.sql", '2', "/etc/passwd").end()));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getString("code")).isEqualTo("DIRECTORY_INVALID");
        assertThat(body.getString("error")).contains("\"2_add.sql\" is a symbolic link");
        assertThat(RegistryTables.read(scratch)).isEqualTo(before);
        assertThat(directoryEvents()).isEqualTo(events);
    }

    @Test
    void httpATamperedSumAndABodyThatIsNotATarGet400() throws Exception {
        RegistryTables before = RegistryTables.read(scratch);
        long events = settledEvents();

        HttpResponse<String> tampered = post("/api/v1/dirs/app/push?tag=v1", HttpRequest.BodyPublishers.ofByteArray(
                new TarBytes().file("atlas.sum", tamperTotal(sumOf(GOOD))).file("1_init.sql", INIT)
                        .file("2_add.sql", ADD).end()));
        HttpResponse<String> garbage = post("/api/v1/dirs/app/push?tag=v1",
                HttpRequest.BodyPublishers.ofString("{\"not\": \"a tar\"}"));

        assertThat(tampered.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(tampered.body()).getString("code")).isEqualTo("CHECKSUM_MISMATCH");
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(garbage.body()).getString("error")).contains("truncated");
        assertThat(RegistryTables.read(scratch)).isEqualTo(before);
        assertThat(directoryEvents()).isEqualTo(events);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x'; DROP TABLE registry_tags; --", "..%2F..%2Fapp", "app\"", "a pp", "%FF%FE"})
    void httpAHostileDirectoryNameGets400AndChangesNothing(String name) throws Exception {
        RegistryTables before = RegistryTables.read(scratch);
        long events = settledEvents();
        String path = name.contains("%") ? name : URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");

        HttpResponse<String> r = post("/api/v1/dirs/" + path + "/push?tag=v1",
                HttpRequest.BodyPublishers.ofByteArray(validArchive(GOOD)));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getString("code")).isEqualTo("CONFIG_INVALID");
        assertThat(body.getString("error")).startsWith("invalid directory name \"");
        assertThat(RegistryTables.read(scratch)).isEqualTo(before);
        assertThat(directoryEvents()).isEqualTo(events);
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1'; DROP TABLE registry_versions; --", "../v1", "v 1", "a/b", "\"q\""})
    void httpAHostileTagGets400NamingItAndChangesNothing(String tag) throws Exception {
        RegistryTables before = RegistryTables.read(scratch);
        long events = settledEvents();

        HttpResponse<String> r = post("/api/v1/dirs/app/push?tag=" + URLEncoder.encode(tag, StandardCharsets.UTF_8),
                HttpRequest.BodyPublishers.ofByteArray(validArchive(GOOD)));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getString("code")).isEqualTo("CONFIG_INVALID");
        assertThat(body.getString("error")).contains("invalid tag \"" + tag + "\"");
        assertThat(RegistryTables.read(scratch)).isEqualTo(before);
        assertThat(directoryEvents()).isEqualTo(events);
    }

    @Test
    void httpAGoodPushGets201ThenAnIdenticalRePushGets200AndChangesNothing() throws Exception {
        byte[] tar = validArchive("1_init.sql", INIT, "2_add.sql", ADD, "3_more.sql", "CREATE INDEX i ON t (c);\n");
        long events = settledEvents();

        HttpResponse<String> first = post("/api/v1/dirs/http-app/push?tag=v7",
                HttpRequest.BodyPublishers.ofByteArray(tar));

        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        JsonObject created = new JsonObject(first.body());
        assertThat(created.getString("directory")).isEqualTo("http-app");
        assertThat(created.getString("tag")).isEqualTo("v7");
        assertThat(created.getInteger("files")).isEqualTo(3);
        assertThat(created.getString("latestVersion")).isEqualTo("3");
        assertThat(created.getBoolean("created")).isTrue();
        assertThat(directoryEvents()).isEqualTo(events + 1);
        RegistryTables afterFirst = RegistryTables.read(scratch);

        HttpResponse<String> again = post("/api/v1/dirs/http-app/push?tag=v7",
                HttpRequest.BodyPublishers.ofByteArray(tar));

        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        JsonObject same = new JsonObject(again.body());
        assertThat(same.getString("versionId")).isEqualTo(created.getString("versionId"));
        assertThat(same.getBoolean("created")).isFalse();
        assertThat(RegistryTables.read(scratch).values()).isEqualTo(afterFirst.values());
        assertThat(directoryEvents()).isEqualTo(events + 1);

        HttpResponse<byte[]> archive = http.send(HttpRequest.newBuilder(URI.create(url("/api/v1/dirs/http-app/archive"
                + "?tag=v7"))).header("authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(archive.statusCode()).isEqualTo(200);
        assertThat(Hashes.sha256Hex(archive.body())).isEqualTo(created.getString("versionId"));
        MigrationDirectory stored = MigrationDirectory.fromArchive(archive.body());
        stored.validate();
        assertThat(stored.files()).extracting(MigrationFile::name)
                .containsExactly("1_init.sql", "2_add.sql", "3_more.sql");
    }

    @Test
    void httpAVersionIsServedByItsIdToDeployTokensAndPushersOfItsDirectoryOnly() throws Exception {
        byte[] tar = validArchive("1_init.sql", INIT, "2_add.sql", ADD, "3_by_id.sql", "CREATE INDEX j ON t (d);\n");
        String id = new JsonObject(post("/api/v1/dirs/by-id/push?tag=v1", HttpRequest.BodyPublishers.ofByteArray(tar))
                .body()).getString("versionId");
        String deploy = host.access().create("versions-deploy", List.of(Grant.parse("deploy:prod")), "test").text();
        String otherPusher = host.access().create("versions-push-other", List.of(Grant.parse("push:other")), "test")
                .text();

        HttpResponse<byte[]> served = getVersion(id, deploy);
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.headers().firstValue("content-type")).hasValue("application/x-tar");
        assertThat(Hashes.sha256Hex(served.body())).isEqualTo(id);
        assertThat(MigrationDirectory.fromArchive(served.body()).files()).hasSize(3);
        assertThat(getVersion(id, token).statusCode()).as("a push token for every directory").isEqualTo(200);
        HttpResponse<byte[]> forbidden = getVersion(id, otherPusher);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(new JsonObject(new String(forbidden.body(), StandardCharsets.UTF_8)).getString("error"))
                .contains("may not push directory \"by-id\"");
        HttpResponse<byte[]> missing = getVersion("f".repeat(64), deploy);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(new String(missing.body(), StandardCharsets.UTF_8)).contains("is not in this registry");
        HttpResponse<byte[]> junk = getVersion("not-a-version", deploy);
        assertThat(junk.statusCode()).isEqualTo(400);
        assertThat(new String(junk.body(), StandardCharsets.UTF_8)).contains("hex SHA-256");
    }

    private HttpResponse<byte[]> getVersion(String id, String bearer) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url("/api/v1/versions/" + id)))
                .header("authorization", "Bearer " + bearer).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void httpAnEmptyBodyIsA400SayingWhatIsMissing() throws Exception {
        RegistryTables before = RegistryTables.read(scratch);

        HttpResponse<String> r = post("/api/v1/dirs/app/push?tag=v9", HttpRequest.BodyPublishers.noBody());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(new JsonObject(r.body()).getString("error")).contains("the push has no body");
        assertThat(RegistryTables.read(scratch)).isEqualTo(before);
    }

    @Test
    void httpAnArchiveExactlyAtTheBodyLimitIsAccepted() throws Exception {
        HttpResponse<String> r = post("/api/v1/dirs/app/push?tag=edge",
                HttpRequest.BodyPublishers.ofByteArray(archiveOfExactly(LIMIT)));

        assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
        assertThat(new JsonObject(r.body()).getInteger("files")).isEqualTo(1);
    }

    // --- helpers --------------------------------------------------------------------------------

    private HttpResponse<String> post(String path, HttpRequest.BodyPublisher body)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url(path))).header("content-type", "application/x-tar")
                .header("authorization", "Bearer " + token).POST(body).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** How many {@code DirectoryPushed} events the registry has published so far. */
    /**
     * The event count once the outbox is empty: pushes made straight through {@link Registry} by
     * other tests queue events that the running service publishes within a second.
     */
    private long settledEvents() throws Exception {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
            try (var c = scratch.connect(); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT count(*) FROM registry_outbox")) {
                rs.next();
                return rs.getLong(1) == 0;
            }
        });
        return directoryEvents();
    }

    private long directoryEvents() throws Exception {
        TopicPartition tp = new TopicPartition(Topics.DIRECTORIES, 0);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS).get(tp).offset();
        }
    }

    /** atlas.sum and 1_init.sql as a good archive starts; the hostile part follows. */
    private static TarBytes withSum() {
        return new TarBytes().file("atlas.sum", sumOf(GOOD)).file("1_init.sql", INIT);
    }

    /** A valid one-file archive of exactly {@code size} bytes (a multiple of 512). */
    static byte[] archiveOfExactly(int size) {
        // atlas.sum (header + 1 block), the file's header, its data, and the two end blocks.
        int data = size - 5 * TarBytes.BLOCK;
        String content = "-- " + "x".repeat(data - 4) + "\n";
        byte[] tar = validArchive("1_big.sql", content);
        assertThat(tar).hasSize(size);
        return tar;
    }

    private static byte[] bytes(Object... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(utf8(s));
            } else {
                out.write((Integer) p);
            }
        }
        return out.toByteArray();
    }

    private static byte[] withPrefix(byte[] header, String prefix) {
        TarBytes.put(header, TarBytes.PREFIX, 155, utf8(prefix));
        return TarBytes.checksummed(header);
    }

    private static byte[] sized(byte[] header, String sizeField) {
        TarBytes.put(header, TarBytes.SIZE, 12, utf8(sizeField));
        return TarBytes.checksummed(header);
    }

    private static byte[] base256Size(byte[] header) {
        byte[] field = new byte[12];
        field[0] = (byte) 0x80;
        field[11] = 33;
        TarBytes.put(header, TarBytes.SIZE, 12, field);
        return TarBytes.checksummed(header);
    }

    /** A copy of {@code tar} whose second header (1_init.sql's, at byte 1024) has one name byte changed. */
    private static byte[] withBadChecksum(byte[] tar) {
        byte[] copy = tar.clone();
        copy[1024 + 1] ^= 0x01;
        return copy;
    }

    /** atlas.sum with one character of line {@code line}'s hash changed; the total recomputed if asked. */
    private static byte[] tamperLine(byte[] sum, int lineNumber, boolean fixTotal) throws Exception {
        List<String> lines = new java.util.ArrayList<>(List.of(new String(sum, StandardCharsets.UTF_8).split("\n")));
        String line = lines.get(lineNumber - 1);
        int at = line.indexOf("h1:") + 3;
        lines.set(lineNumber - 1, line.substring(0, at) + (line.charAt(at) == 'A' ? 'B' : 'A') + line.substring(at + 1));
        if (fixTotal) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            Map<String, String> entries = new LinkedHashMap<>();
            for (String l : lines.subList(1, lines.size())) {
                int h1 = l.indexOf(" h1:");
                entries.put(l.substring(0, h1), l.substring(h1 + 4));
            }
            entries.forEach((file, hash) -> {
                sha.update(utf8(file));
                sha.update(utf8(hash));
            });
            lines.set(0, "h1:" + Base64.getEncoder().encodeToString(sha.digest()));
        }
        return utf8(String.join("\n", lines) + "\n");
    }

    private static byte[] tamperTotal(byte[] sum) {
        String text = new String(sum, StandardCharsets.UTF_8);
        char c = text.charAt(3);
        return utf8("h1:" + (c == 'A' ? 'B' : 'A') + text.substring(4));
    }
}
