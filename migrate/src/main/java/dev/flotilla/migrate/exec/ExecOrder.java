package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

/** What to do with a pending file whose version is lower than the last applied one. */
public enum ExecOrder {
    /** Refuse to run (the default). */
    LINEAR,
    /** Skip such files silently. */
    LINEAR_SKIP,
    /** Run them. */
    NON_LINEAR;

    /** Parses Atlas' flag values {@code linear}, {@code linear-skip}, {@code non-linear}. */
    public static ExecOrder parse(String s) {
        switch (s) {
            case "linear": return LINEAR;
            case "linear-skip": return LINEAR_SKIP;
            case "non-linear": return NON_LINEAR;
            default:
                throw new FlotillaException(ErrorCode.CONFIG_INVALID, "unknown --exec-order \"" + s
                        + "\": use linear, linear-skip or non-linear");
        }
    }
}
