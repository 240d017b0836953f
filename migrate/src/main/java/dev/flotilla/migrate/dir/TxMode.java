package dev.flotilla.migrate.dir;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import java.util.Locale;

/** How migration files are wrapped in transactions, as Atlas' {@code --tx-mode} and {@code atlas:txmode}. */
public enum TxMode {
    /** One transaction per file (Atlas' default). */
    FILE,
    /** One transaction for all pending files; only valid as a global setting, not in a file. */
    ALL,
    /** No transaction: each statement commits on its own. */
    NONE;

    /**
     * Parses the Atlas spelling of a transaction mode.
     *
     * @param value {@code "file"}, {@code "all"} or {@code "none"} (case-sensitive, as in Atlas)
     * @return the mode, never null
     * @throws FlotillaException with {@link ErrorCode#CONFIG_INVALID} for any other value
     */
    public static TxMode parse(String value) {
        TxMode mode = lookup(value);
        if (mode == null) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID,
                    "unknown transaction mode \"" + value + "\": use one of none, file, all");
        }
        return mode;
    }

    /** The mode spelled {@code value}, or null when it is not one. */
    static TxMode lookup(String value) {
        for (TxMode mode : values()) {
            if (mode.value().equals(value)) {
                return mode;
            }
        }
        return null;
    }

    /** The Atlas spelling: {@code "file"}, {@code "all"} or {@code "none"}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
