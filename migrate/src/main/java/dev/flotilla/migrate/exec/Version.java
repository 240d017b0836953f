package dev.flotilla.migrate.exec;

/** The product version, as written into revisions rows and printed by the CLI. */
public final class Version {
    /** Flotilla's version. */
    public static final String VERSION = "0.1.0";

    private Version() {
    }
}
