package dev.flotilla.migrate.exec;

/** FNV hashes for lock keys. */
final class Fnv {
    private Fnv() {
    }

    /** 64-bit FNV-1a. */
    static long fnv1a64(byte[] data) {
        long h = 0xcbf29ce484222325L;
        for (byte b : data) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** 32-bit FNV-1 (Go's {@code fnv.New32}), as Atlas keys its PostgreSQL lock. */
    static long fnv1_32(byte[] data) {
        int h = 0x811c9dc5;
        for (byte b : data) {
            h *= 0x01000193;
            h ^= b & 0xff;
        }
        return h & 0xffffffffL;
    }
}
