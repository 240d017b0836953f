package dev.flotilla.migrate.exec;

/** A held per-target migration lock; closing releases it. Never throws on close. */
interface TargetLock extends AutoCloseable {
    @Override
    void close();

    /** A lock that guards nothing (in-memory SQLite, which no one else can see). */
    static TargetLock none() {
        return () -> { };
    }
}
