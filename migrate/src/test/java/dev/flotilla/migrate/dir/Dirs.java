package dev.flotilla.migrate.dir;

import java.nio.charset.StandardCharsets;
import java.util.SortedMap;
import java.util.TreeMap;

/** Test helpers for building directories in memory. */
final class Dirs {
    private Dirs() {
    }

    /** Name/content pairs, e.g. {@code files("1_a.sql", "SELECT 1;")}. */
    static SortedMap<String, byte[]> files(String... namesAndContents) {
        SortedMap<String, byte[]> files = new TreeMap<>();
        for (int i = 0; i < namesAndContents.length; i += 2) {
            files.put(namesAndContents[i], utf8(namesAndContents[i + 1]));
        }
        return files;
    }

    /** A directory without atlas.sum. */
    static MigrationDirectory unsummed(String... namesAndContents) {
        return MigrationDirectory.of(files(namesAndContents), null);
    }

    /** A directory whose atlas.sum matches its files. */
    static MigrationDirectory summed(String... namesAndContents) {
        SortedMap<String, byte[]> files = files(namesAndContents);
        byte[] sum = MigrationDirectory.of(files, null).computeSum().toBytes();
        return MigrationDirectory.of(files, sum);
    }

    /** A directory with the given files and an atlas.sum written for {@code before}. */
    static MigrationDirectory withSumOf(MigrationDirectory before, String... namesAndContents) {
        return MigrationDirectory.of(files(namesAndContents), before.computeSum().toBytes());
    }

    static MigrationFile file(String name, String content) {
        return new MigrationFile(name, utf8(content));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
