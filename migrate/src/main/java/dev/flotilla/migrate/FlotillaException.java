package dev.flotilla.migrate;

import java.util.Objects;

/**
 * The one unchecked exception of Flotilla. Its message is meant for the person who reads it:
 * it names the object, the bad value and the fix, and never contains a secret.
 */
public class FlotillaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public FlotillaException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    public FlotillaException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** What kind of failure this is; never null. */
    public ErrorCode code() {
        return code;
    }
}
