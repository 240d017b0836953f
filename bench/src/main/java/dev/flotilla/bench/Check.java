package dev.flotilla.bench;

/**
 * One number docs/architecture.md holds the product to, as measured.
 *
 * @param what the scenario, with the size that actually ran
 * @param measured the measured value
 * @param target the target it is compared against
 * @param pass whether it met the target; null where no target is set
 */
record Check(String what, String measured, String target, Boolean pass) {
    String[] cells() {
        return new String[] {what, measured, target, pass == null ? "–" : pass ? "PASS" : "MISS"};
    }

    static final String[] HEADER = {"target (docs/architecture.md)", "measured", "target", "result"};
}
