package dev.flotilla.registry;

import dev.flotilla.migrate.Hashes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Fuzz-style: valid archives of generated directories, mutated at random (entries duplicated,
 * dropped, renamed, retyped, reordered, re-encoded; '../' injected; atlas.sum corrupted; bytes
 * flipped; headers, sizes and checksums corrupted; archives truncated or padded), each pushed to
 * the registry on the real PostgreSQL store. After every push either it threw a
 * {@link FlotillaException} and the tables did not change, or it succeeded and the stored version
 * validates, has exactly the files the push reported and, when the archive was only changed entry
 * by entry, exactly the {@code .sql} files the archive held. Any other exception is a bug. Seeds
 * are fixed, so a failure is reproduced by running the same seed; the archive is also saved under
 * {@code target/fuzz-failures}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryFuzzIT {
    private static final int CASES_PER_SEED = 400;
    private static final int LIMIT = 256 * 1024;
    private static final String[] TAGS = {"v1", "v2", "latest", "rc.1", "t_2"};
    private static final char REGULAR = '0';

    private ScratchDatabase scratch;
    private ServiceStore db;
    private Registry registry;
    private Connection tables;

    @BeforeAll
    void start() throws SQLException {
        scratch = TestDatabases.postgresDatabase("reg");
        db = ServiceStore.connect(scratch.jdbcUrl(), null, null, 4, "test");
        registry = new Registry(new JdbcRegistryStore(db), LIMIT);
        tables = scratch.connect();
    }

    @AfterAll
    void stop() throws SQLException {
        if (tables != null) {
            tables.close();
        }
        if (db != null) {
            db.close();
        }
        if (scratch != null) {
            scratch.close();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 0x5EEDL, 20261123L, 0xF10771L})
    void mutatedArchivesNeverStoreAPartialVersion(long seed) throws IOException {
        Random rnd = new Random(seed);
        String directory = "fuzz-" + Long.toHexString(seed);
        Map<ErrorCode, Integer> refusals = new EnumMap<>(ErrorCode.class);
        List<String> unexpected = new ArrayList<>();
        int stored = 0;
        int checkedAgainstModel = 0;
        long slowest = 0;

        for (int i = 0; i < CASES_PER_SEED; i++) {
            Case c = generate(rnd);
            String tag = rnd.nextInt(6) == 0 ? null : TAGS[rnd.nextInt(TAGS.length)];
            String where = "seed " + seed + " case " + i + " (tag " + tag + ", " + c.bytes.length + " bytes, "
                    + String.join(", ", c.log) + ")";
            RegistryTables before = RegistryTables.read(tables);

            PushResult result = null;
            Throwable thrown = null;
            long t0 = System.nanoTime();
            try {
                result = registry.push(directory, tag, c.bytes);
            } catch (Throwable t) { // every kind, to tell FlotillaException from a bug
                thrown = t;
            }
            slowest = Math.max(slowest, System.nanoTime() - t0);

            if (thrown != null && !(thrown instanceof FlotillaException)) {
                unexpected.add(where + ": " + stackTrace(thrown));
                save(seed, i, c.bytes);
                assertThat(RegistryTables.read(tables)).as(where).isEqualTo(before);
                continue;
            }
            if (thrown != null) {
                FlotillaException e = (FlotillaException) thrown;
                refusals.merge(e.code(), 1, Integer::sum);
                assertThat(e.getMessage()).as(where).isNotBlank();
                if (!RegistryTables.read(tables).equals(before)) {
                    save(seed, i, c.bytes);
                    fail(where + ": refused (" + e.getMessage() + ") but the tables changed");
                }
                continue;
            }
            stored++;
            try {
                checkStored(directory, tag == null ? "latest" : tag, result, before, c);
                if (c.expected != null) {
                    checkedAgainstModel++;
                }
            } catch (AssertionError e) {
                save(seed, i, c.bytes);
                throw new AssertionError(where + ": " + e.getMessage(), e);
            }
        }

        System.out.printf("seed %d: %d cases, %d stored (%d compared entry by entry with the archive), refused %s;"
                + " slowest push %d ms%n", seed, CASES_PER_SEED, stored, checkedAgainstModel, refusals,
                slowest / 1_000_000);
        assertThat(unexpected).as("exceptions other than FlotillaException").isEmpty();
        // The run must exercise both outcomes, or it proves little.
        assertThat(stored).isGreaterThan(CASES_PER_SEED / 10);
        assertThat(refusals.values().stream().mapToInt(Integer::intValue).sum()).isGreaterThan(CASES_PER_SEED / 2);
    }

    /** A successful push stored a complete, valid version and moved only its own tags. */
    private void checkStored(String directory, String tag, PushResult r, RegistryTables before, Case c) {
        RegistryStore.StoredVersion v = registry.store().byTag(directory, tag).orElseThrow(
                () -> new AssertionError("push succeeded but tag " + tag + " does not exist"));
        assertThat(v.versionId()).isEqualTo(r.versionId());
        assertThat(Hashes.sha256Hex(v.archive())).isEqualTo(r.versionId());
        assertThat(registry.store().byTag(directory, "latest")).get()
                .extracting(RegistryStore.StoredVersion::versionId).isEqualTo(r.versionId());

        MigrationDirectory reread = MigrationDirectory.fromArchive(v.archive());
        reread.validate();
        assertThat(reread.files()).hasSize(r.fileCount());
        assertThat(v.fileCount()).isEqualTo(r.fileCount());
        assertThat(reread.latestVersion()).isEqualTo(r.latestVersion()).isEqualTo(v.latestVersion());
        assertThat(reread.toArchive()).as("the stored archive is canonical").isEqualTo(v.archive());
        // atlas.sum covers every stored file that is not sum-ignored.
        if (!reread.files().isEmpty()) {
            assertThat(reread.sumFile()).isPresent();
        }

        if (c.expected != null) {
            Map<String, String> actual = new TreeMap<>();
            reread.files().forEach(f -> actual.put(f.name(), hex(f.content())));
            Map<String, String> expected = new TreeMap<>();
            c.expected.forEach((name, content) -> expected.put(name, hex(content)));
            assertThat(actual).as("the stored files are exactly the .sql files of the archive").isEqualTo(expected);
        }
        if (c.mustFail != null) {
            throw new AssertionError("stored a version from an archive that must be refused: " + c.mustFail);
        }

        RegistryTables after = RegistryTables.read(tables);
        assertThat(without(after, directory, tag, r.versionId())).as("rows other than this push's")
                .isEqualTo(without(before, directory, tag, r.versionId()));
        // Versions are content-addressed: the row may carry the directory that first pushed the same content.
        assertThat(after.versions()).anyMatch(row -> row.startsWith(r.versionId() + "|"));
        for (String t : new java.util.TreeSet<>(List.of(tag, "latest"))) {
            assertThat(after.tags()).anyMatch(row -> row.startsWith(directory + "|" + t + "|" + r.versionId() + "|"));
        }
    }

    private static RegistryTables without(RegistryTables t, String directory, String tag, String versionId) {
        return new RegistryTables(
                t.versions().stream().filter(row -> !row.startsWith(versionId + "|")).toList(),
                t.tags().stream().filter(row -> !row.startsWith(directory + "|" + tag + "|")
                        && !row.startsWith(directory + "|latest|")).toList());
    }

    // --- generation -----------------------------------------------------------------------------

    /** How an entry's name reaches the reader. */
    private enum Naming { USTAR, PAX, GNU, PREFIX }

    /** One archive entry of the model: raw name bytes, tar type, data. */
    private static final class Item {
        byte[] name;
        char type;
        byte[] content;
        Naming naming;

        Item(byte[] name, char type, byte[] content, Naming naming) {
            this.name = name;
            this.type = type;
            this.content = content;
            this.naming = naming;
        }

        Item copy() {
            return new Item(name.clone(), type, content.clone(), naming);
        }

        String text() {
            return new String(name, StandardCharsets.UTF_8);
        }
    }

    /**
     * A generated case.
     *
     * @param bytes the archive to push
     * @param log what was generated and done to it
     * @param expected when only entry-level changes were made: the .sql files a successful push must store
     * @param mustFail why the archive must be refused, when the model says so
     */
    private record Case(byte[] bytes, List<String> log, Map<String, byte[]> expected, String mustFail) {
    }

    private static Case generate(Random rnd) {
        List<String> log = new ArrayList<>();
        List<Item> items = new ArrayList<>();
        Map<String, byte[]> files = new LinkedHashMap<>();
        int count = rnd.nextInt(6);
        long version = rnd.nextBoolean() ? rnd.nextInt(20) : 20240000000000L + rnd.nextInt(1_000_000);
        for (int i = 0; i < count; i++) {
            version += 1 + rnd.nextInt(40);
            String name = version + description(rnd) + ".sql";
            files.put(name, content(rnd));
        }
        byte[] sum = TarBytes.sumOf(files);
        log.add(count + " files");
        files.forEach((name, content) -> items.add(new Item(TarBytes.utf8(name), REGULAR, content, naming(rnd, name))));
        int sumAt = rnd.nextInt(10) < 8 ? 0 : rnd.nextInt(items.size() + 1);
        items.add(sumAt, new Item(TarBytes.utf8("atlas.sum"), REGULAR, sum, Naming.USTAR));
        if (rnd.nextInt(10) == 0) {
            items.add(rnd.nextInt(items.size() + 1), new Item(TarBytes.utf8("README.md"), REGULAR,
                    TarBytes.utf8("# notes\n"), Naming.USTAR));
            log.add("with a README");
        }

        boolean predictable = true;
        int structural = rnd.nextInt(10) < 2 ? 0 : 1 + rnd.nextInt(3);
        for (int m = 0; m < structural; m++) {
            predictable &= mutateEntries(rnd, items, log);
        }
        if (structural > 0 && rnd.nextInt(3) == 0) {
            rehash(items, log);
        }

        Serialized s = serialize(items);
        byte[] bytes = s.bytes;
        boolean byteLevel = rnd.nextInt(10) < 4;
        if (byteLevel) {
            int k = 1 + rnd.nextInt(2);
            for (int m = 0; m < k; m++) {
                bytes = mutateBytes(rnd, bytes, s.headers, log);
            }
        }
        if (!predictable || byteLevel) {
            return new Case(bytes, log, null, null);
        }
        return expectation(bytes, log, items);
    }

    private static String description(Random rnd) {
        switch (rnd.nextInt(10)) {
            case 0:
                return "";
            case 1:
                return "_caf\u00e9_\u65e5\u672c";
            case 2:
                return "_" + "long_description_".repeat(6 + rnd.nextInt(4));
            default:
                StringBuilder d = new StringBuilder("_");
                for (int i = 0, n = 1 + rnd.nextInt(12); i < n; i++) {
                    d.append("abcdefghijklmnopqrstuvwxyz_0123456789".charAt(rnd.nextInt(37)));
                }
                return d.toString();
        }
    }

    private static byte[] content(Random rnd) {
        switch (rnd.nextInt(12)) {
            case 0:
                return new byte[0];
            case 1:
                return TarBytes.utf8("-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY i ON t (c);\n");
            case 2:
                return TarBytes.utf8("-- atlas:sum ignore\nSELECT 1;\n");
            case 3:
                return TarBytes.utf8("-- atlas:delimiter //\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$"
                        + " LANGUAGE sql//\n");
            case 4:
                byte[] binary = new byte[1 + rnd.nextInt(700)];
                rnd.nextBytes(binary);
                return binary;
            case 5:
                return TarBytes.utf8("-- " + "x".repeat(1000 + rnd.nextInt(3000)) + "\nSELECT 1;\n");
            default:
                StringBuilder sql = new StringBuilder();
                for (int i = 0, n = 1 + rnd.nextInt(4); i < n; i++) {
                    sql.append("CREATE TABLE t").append(rnd.nextInt(1000)).append(" (id int PRIMARY KEY, name text"
                            + " DEFAULT 'it''s');\n");
                }
                return TarBytes.utf8(sql.toString());
        }
    }

    private static Naming naming(Random rnd, String name) {
        boolean ascii = name.chars().allMatch(ch -> ch < 0x80);
        if (name.length() > 100 || !ascii) {
            return rnd.nextBoolean() ? Naming.PAX : Naming.GNU;
        }
        return rnd.nextInt(6) == 0 ? (rnd.nextBoolean() ? Naming.PAX : Naming.GNU) : Naming.USTAR;
    }

    /** One entry-level mutation; false when its effect on the reader is not modelled. */
    private static boolean mutateEntries(Random rnd, List<Item> items, List<String> log) {
        if (items.isEmpty()) {
            log.add("nothing to mutate");
            return true;
        }
        Item target = items.get(rnd.nextInt(items.size()));
        switch (rnd.nextInt(13)) {
            case 0 -> {
                Item dup = target.copy();
                if (rnd.nextBoolean()) {
                    dup.content = TarBytes.utf8("DROP TABLE t;\n");
                }
                items.add(rnd.nextInt(items.size() + 1), dup);
                log.add("duplicated " + target.text());
            }
            case 1 -> {
                items.remove(target);
                log.add("dropped " + target.text());
            }
            case 2 -> {
                String old = target.text();
                target.name = renamed(rnd, target, items);
                fixNaming(target);
                log.add("renamed " + old + " to " + printable(target.name));
            }
            case 3 -> {
                String old = target.text();
                target.name = TarBytes.utf8("../".repeat(1 + rnd.nextInt(3)) + old);
                target.naming = rnd.nextBoolean() ? Naming.PAX : Naming.PREFIX;
                fixNaming(target);
                log.add("injected ../ into " + old + " (" + target.naming + ")");
            }
            case 4 -> {
                char type = "1234567AgK".charAt(rnd.nextInt(10));
                target.type = type;
                if (type >= '1' && type <= '6' && rnd.nextBoolean()) {
                    target.content = new byte[0];
                }
                log.add("retyped " + target.text() + " as '" + type + "'");
            }
            case 5 -> {
                char type = rnd.nextBoolean() ? 'x' : 'L';
                target.type = type;
                log.add("retyped " + target.text() + " as '" + type + "'");
                return false;
            }
            case 6 -> {
                byte[] c = target.content;
                if (c.length == 0 || rnd.nextBoolean()) {
                    target.content = Arrays.copyOf(c, c.length + 1);
                    target.content[c.length] = (byte) ';';
                } else {
                    target.content = c.clone();
                    target.content[rnd.nextInt(c.length)] ^= (byte) (1 + rnd.nextInt(255));
                }
                log.add("edited " + target.text());
            }
            case 7 -> {
                Item sum = find(items, "atlas.sum");
                if (sum == null) {
                    log.add("no atlas.sum to corrupt");
                } else {
                    sum.content = corruptSum(rnd, sum.content, log);
                }
            }
            case 8 -> {
                java.util.Collections.shuffle(items, rnd);
                log.add("shuffled");
            }
            case 9 -> {
                target.naming = Naming.values()[rnd.nextInt(3)];
                fixNaming(target);
                log.add("re-encoded the name of " + target.text() + " as " + target.naming);
            }
            case 10 -> {
                int at = rnd.nextInt(items.size() + 1);
                switch (rnd.nextInt(4)) {
                    case 0 -> items.add(at, new Item(TarBytes.utf8("sub/"), '5', new byte[0], Naming.USTAR));
                    case 1 -> items.add(at, new Item(TarBytes.utf8("link.sql"), '2', new byte[0], Naming.USTAR));
                    case 2 -> items.add(at, new Item(TarBytes.utf8("pax_global_header"), 'g',
                            TarBytes.paxRecord("comment", TarBytes.utf8("hi")), Naming.USTAR));
                    default -> items.add(at, new Item(TarBytes.utf8("notes.txt"), REGULAR, TarBytes.utf8("x"),
                            Naming.USTAR));
                }
                log.add("added " + items.get(at).text() + " '" + items.get(at).type + "'");
            }
            case 11 -> {
                Item sum = find(items, "atlas.sum");
                if (sum != null) {
                    items.remove(sum);
                    items.add(sum);
                    log.add("moved atlas.sum last");
                } else {
                    log.add("no atlas.sum to move");
                }
            }
            default -> {
                String old = target.text();
                byte[] n = target.name;
                int at = rnd.nextInt(n.length + 1);
                byte[] bad = rnd.nextBoolean() ? new byte[] {(byte) 0xFF} : new byte[] {(byte) 0xC3};
                byte[] renamed = new byte[n.length + 1];
                System.arraycopy(n, 0, renamed, 0, at);
                renamed[at] = bad[0];
                System.arraycopy(n, at, renamed, at + 1, n.length - at);
                target.name = renamed;
                target.naming = Naming.values()[rnd.nextInt(3)];
                fixNaming(target);
                log.add("made the name of " + old + " non-UTF-8 (" + target.naming + ")");
            }
        }
        return true;
    }

    private static byte[] renamed(Random rnd, Item target, List<Item> items) {
        String name = target.text();
        int underscore = name.indexOf('_');
        String version = underscore < 0 ? name.replace(".sql", "") : name.substring(0, underscore);
        Item other = items.get(rnd.nextInt(items.size()));
        String to = switch (rnd.nextInt(12)) {
            case 0 -> other.text();
            case 1 -> "/etc/" + name;
            case 2 -> "a/" + name;
            case 3 -> name + "/";
            case 4 -> "atlas.sum";
            case 5 -> version + "_other.sql";
            case 6 -> "_" + name;
            case 7 -> name.replace(".sql", ".txt");
            case 8 -> "..";
            case 9 -> name + "\u0000../../x";
            case 10 -> "..\\" + name;
            default -> "";
        };
        return TarBytes.utf8(to);
    }

    /** Keeps the naming able to carry the name (the ustar name field holds 100 bytes, no NUL). */
    private static void fixNaming(Item item) {
        boolean fitsUstar = item.name.length > 0 && item.name.length <= 100 && indexOf(item.name, (byte) 0) < 0;
        if (item.naming == Naming.USTAR && !fitsUstar) {
            item.naming = Naming.PAX;
        }
        if (item.naming == Naming.PREFIX && prefixSplit(item.name) < 0) {
            item.naming = Naming.PAX;
        }
        if (item.naming == Naming.GNU && indexOf(item.name, (byte) 0) >= 0) {
            item.naming = Naming.PAX;
        }
    }

    private static byte[] corruptSum(Random rnd, byte[] sum, List<String> log) {
        String text = new String(sum, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        switch (rnd.nextInt(8)) {
            case 0 -> {
                byte[] out = sum.clone();
                out[rnd.nextInt(out.length)] ^= (byte) (1 + rnd.nextInt(127));
                log.add("flipped a byte of atlas.sum");
                return out;
            }
            case 1 -> {
                if (lines.size() > 1) {
                    lines.remove(1 + rnd.nextInt(lines.size() - 1));
                }
                log.add("dropped a line of atlas.sum");
            }
            case 2 -> {
                lines.add(lines.get(rnd.nextInt(lines.size())));
                log.add("duplicated a line of atlas.sum");
            }
            case 3 -> {
                if (lines.size() > 2) {
                    java.util.Collections.swap(lines, 1, lines.size() - 1);
                }
                log.add("swapped lines of atlas.sum");
            }
            case 4 -> {
                lines.set(0, "h1:" + "A".repeat(43) + "=");
                log.add("replaced the total of atlas.sum");
            }
            case 5 -> {
                lines.add("99_x.sql h1:" + "B".repeat(43) + "=");
                log.add("added a line to atlas.sum");
            }
            case 6 -> {
                log.add("wrote atlas.sum with CRLF");
                return TarBytes.utf8(String.join("\r\n", lines) + "\r\n");
            }
            default -> {
                log.add("emptied atlas.sum");
                return new byte[0];
            }
        }
        return TarBytes.utf8(String.join("\n", lines) + "\n");
    }

    /** Rewrites atlas.sum to match the .sql files, when their names allow it (a re-hash after editing). */
    private static void rehash(List<Item> items, List<String> log) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (Item i : items) {
            String name = strictUtf8(i.name);
            if (i.type == REGULAR && name != null && name.endsWith(".sql")) {
                files.putIfAbsent(name, i.content);
            }
        }
        Item sum = find(items, "atlas.sum");
        try {
            byte[] fresh = TarBytes.sumOf(files);
            if (sum != null) {
                sum.content = fresh;
                log.add("re-hashed");
            }
        } catch (FlotillaException e) {
            log.add("could not re-hash");
        }
    }

    /** What the reader must make of an archive changed only entry by entry. */
    private static Case expectation(byte[] bytes, List<String> log, List<Item> items) {
        Map<String, byte[]> sql = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        String mustFail = null;
        for (Item i : items) {
            if (i.type == 'g' || i.type == 'K') {
                if (i.naming == Naming.PAX || i.naming == Naming.GNU) {
                    // The reader keeps a long name across 'g' and 'K' for the next file: not modelled.
                    return new Case(bytes, log, null, null);
                }
                continue;
            }
            if (i.type != REGULAR) {
                mustFail = "entry " + printable(i.name) + " of type '" + i.type + "'";
                break;
            }
            String name = strictUtf8(i.name);
            if (name == null) {
                mustFail = "name " + printable(i.name) + " is not UTF-8";
                break;
            }
            if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.contains("\u0000")
                    || name.equals(".") || name.equals("..")) {
                mustFail = "name " + printable(i.name) + " is not a plain file name";
                break;
            }
            boolean kept = name.equals("atlas.sum") || name.endsWith(".sql");
            if (kept && !seen.add(name)) {
                mustFail = name + " twice";
                break;
            }
            if (name.endsWith(".sql")) {
                sql.put(name, i.content);
            }
        }
        return new Case(bytes, log, mustFail == null ? sql : null, mustFail);
    }

    // --- serialization and byte-level mutations ------------------------------------------------

    /** @param headers the offset of every header block, PAX and GNU ones included */
    private record Serialized(byte[] bytes, List<Integer> headers) {
    }

    private static Serialized serialize(List<Item> items) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> headers = new ArrayList<>();
        for (Item i : items) {
            byte[] header;
            switch (i.naming) {
                case PAX -> {
                    byte[] pax = TarBytes.paxRecord("path", i.name);
                    headers.add(out.size());
                    write(out, TarBytes.header(TarBytes.utf8("PaxHeaders.0/entry"), 'x', pax.length), pax);
                    header = TarBytes.header(ascii(i.name), i.type, i.content.length);
                }
                case GNU -> {
                    byte[] data = Arrays.copyOf(i.name, i.name.length + 1);
                    headers.add(out.size());
                    write(out, TarBytes.header(TarBytes.utf8("././@LongLink"), 'L', data.length), data);
                    header = TarBytes.header(ascii(i.name), i.type, i.content.length);
                }
                case PREFIX -> {
                    int split = prefixSplit(i.name);
                    header = TarBytes.header(Arrays.copyOfRange(i.name, split + 1, i.name.length), i.type,
                            i.content.length);
                    TarBytes.put(header, TarBytes.PREFIX, 155, Arrays.copyOf(i.name, split));
                    TarBytes.checksummed(header);
                }
                default -> header = TarBytes.header(i.name, i.type, i.content.length);
            }
            headers.add(out.size());
            write(out, header, i.content);
        }
        out.writeBytes(new byte[2 * TarBytes.BLOCK]);
        return new Serialized(out.toByteArray(), headers);
    }

    private static void write(ByteArrayOutputStream out, byte[] header, byte[] data) {
        out.writeBytes(header);
        out.writeBytes(data);
        out.writeBytes(new byte[TarBytes.padding(data.length)]);
    }

    private static byte[] mutateBytes(Random rnd, byte[] tar, List<Integer> headers, List<String> log) {
        byte[] out = tar.clone();
        if (out.length == 0) {
            log.add("nothing left to mutate");
            return out;
        }
        List<Integer> valid = headers.stream().filter(h -> h + TarBytes.BLOCK <= out.length).toList();
        switch (rnd.nextInt(9)) {
            case 0 -> {
                for (int k = 0, n = 1 + rnd.nextInt(4); k < n; k++) {
                    out[rnd.nextInt(out.length)] ^= (byte) (1 + rnd.nextInt(255));
                }
                log.add("flipped bytes");
                return out;
            }
            case 1, 2 -> {
                if (valid.isEmpty()) {
                    break;
                }
                int h = valid.get(rnd.nextInt(valid.size()));
                int[][] fields = {{0, 100}, {124, 12}, {156, 1}, {157, 100}, {257, 8}, {345, 155}};
                int[] f = fields[rnd.nextInt(fields.length)];
                out[h + f[0] + rnd.nextInt(f[1])] = (byte) rnd.nextInt(256);
                boolean fix = rnd.nextInt(5) > 0;
                if (fix) {
                    fixChecksum(out, h);
                }
                log.add("changed header field @" + f[0] + " at " + h + (fix ? " (checksum fixed)" : ""));
                return out;
            }
            case 3 -> {
                if (valid.isEmpty()) {
                    break;
                }
                int h = valid.get(rnd.nextInt(valid.size()));
                long[] sizes = {0, 1, 511, 512, 513, rnd.nextInt(100_000), 077777777777L, out.length, out.length - h};
                long size = sizes[rnd.nextInt(sizes.length)];
                TarBytes.putOctal(out, h + TarBytes.SIZE, 12, size);
                fixChecksum(out, h);
                log.add("set size at " + h + " to " + size);
                return out;
            }
            case 4 -> {
                int at = rnd.nextBoolean() ? rnd.nextInt(out.length) : TarBytes.BLOCK * rnd.nextInt(out.length
                        / TarBytes.BLOCK + 1);
                log.add("truncated to " + at);
                return Arrays.copyOf(out, at);
            }
            case 5 -> {
                log.add("dropped the end-of-archive marker");
                return Arrays.copyOf(out, Math.max(0, out.length - 2 * TarBytes.BLOCK));
            }
            case 6 -> {
                int at = valid.isEmpty() ? 0 : valid.get(rnd.nextInt(valid.size()));
                byte[] block = new byte[TarBytes.BLOCK];
                String what;
                switch (rnd.nextInt(3)) {
                    case 0 -> what = "a zero block";
                    case 1 -> {
                        rnd.nextBytes(block);
                        what = "a random block";
                    }
                    default -> {
                        int from = valid.isEmpty() ? 0 : valid.get(rnd.nextInt(valid.size()));
                        System.arraycopy(out, from, block, 0, Math.min(TarBytes.BLOCK, out.length - from));
                        what = "a copy of the header at " + from;
                    }
                }
                log.add("inserted " + what + " at " + at);
                byte[] bigger = new byte[out.length + TarBytes.BLOCK];
                System.arraycopy(out, 0, bigger, 0, at);
                System.arraycopy(block, 0, bigger, at, TarBytes.BLOCK);
                System.arraycopy(out, at, bigger, at + TarBytes.BLOCK, out.length - at);
                return bigger;
            }
            case 7 -> {
                byte[] garbage = new byte[1 + rnd.nextInt(2000)];
                rnd.nextBytes(garbage);
                log.add("appended " + garbage.length + " random bytes");
                byte[] bigger = Arrays.copyOf(out, out.length + garbage.length);
                System.arraycopy(garbage, 0, bigger, out.length, garbage.length);
                return bigger;
            }
            default -> {
                int pad = LIMIT - out.length + 1 + rnd.nextInt(1000);
                log.add("padded over the limit");
                return Arrays.copyOf(out, out.length + Math.max(pad, 0));
            }
        }
        log.add("no header to mutate");
        return out;
    }

    private static void fixChecksum(byte[] tar, int header) {
        byte[] block = Arrays.copyOfRange(tar, header, header + TarBytes.BLOCK);
        TarBytes.checksummed(block);
        System.arraycopy(block, 0, tar, header, TarBytes.BLOCK);
    }

    // --- helpers --------------------------------------------------------------------------------

    private static Item find(List<Item> items, String name) {
        for (Item i : items) {
            if (i.text().equals(name) && i.type == REGULAR) {
                return i;
            }
        }
        return null;
    }

    /** Where to split a name into a ustar prefix and name, or -1. */
    private static int prefixSplit(byte[] name) {
        for (int i = name.length - 1; i > 0; i--) {
            if (name[i] == '/' && i <= 155 && name.length - i - 1 <= 100 && name.length - i - 1 > 0) {
                return i;
            }
        }
        return -1;
    }

    /** A stand-in for the ustar name field of an entry named by a PAX or GNU header. */
    private static byte[] ascii(byte[] name) {
        byte[] out = new byte[Math.min(name.length, 100)];
        for (int i = 0; i < out.length; i++) {
            out[i] = name[i] > ' ' && name[i] < 0x7F ? name[i] : (byte) '_';
        }
        return out.length == 0 ? TarBytes.utf8("_") : out;
    }

    private static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String printable(byte[] name) {
        StringBuilder s = new StringBuilder("\"");
        for (byte b : name) {
            s.append(b >= ' ' && b < 0x7F ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xFF));
        }
        return s.append('"').toString();
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    private static void save(long seed, int i, byte[] bytes) throws IOException {
        Path dir = Path.of("target", "fuzz-failures");
        Files.createDirectories(dir);
        Files.write(dir.resolve("seed-" + seed + "-case-" + i + ".tar"), bytes);
    }
}
