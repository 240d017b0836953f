package dev.flotilla.notifier;

/**
 * How one attempt ended.
 *
 * @param status the receiver's HTTP status; 0 when there was no answer
 * @param latencyMillis from sending to the end of the answer, or to the failure
 * @param excerpt the start of the answer's body, sanitized; null when none
 * @param error why there was no usable answer (refused, timed out); null when there was one
 * @param refused not sent because the URL is not allowed (any more): not tried again
 */
public record Outcome(int status, long latencyMillis, String excerpt, String error, boolean refused) {
    /** An answer, or a failure to get one (status 0) that may pass. */
    public Outcome(int status, long latencyMillis, String excerpt, String error) {
        this(status, latencyMillis, excerpt, error, false);
    }

    /** Not sent, and never will be: the URL is no longer allowed. */
    static Outcome refused(String why) {
        return new Outcome(0, 0, null, why, true);
    }

    /** Whether the receiver took it: any 2xx. */
    public boolean delivered() {
        return status >= 200 && status < 300;
    }

    /** Whether trying again cannot help: a 3xx (redirects are not followed) or a 4xx other than 408 and 429. */
    public boolean permanent() {
        return refused || status >= 300 && status < 500 && status != 408 && status != 429;
    }
}
