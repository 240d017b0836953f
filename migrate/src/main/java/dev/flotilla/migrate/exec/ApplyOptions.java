package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.dir.TxMode;

import java.time.Duration;
import java.util.Objects;

/**
 * How one {@code migrate apply} runs. Immutable; build with {@link #builder()}, or derive from
 * existing options with {@link #toBuilder()}.
 *
 * @param amount apply at most this many pending files; 0 means all
 * @param toVersion stop after this version; null means the latest
 * @param dryRun print what would run, write nothing
 * @param baseline on a database with no revisions, mark this version (and all before it) applied
 * @param allowDirty run on a non-empty database that has no revisions
 * @param txMode transaction mode for files without their own {@code -- atlas:txmode}
 * @param execOrder what to do with out-of-order files
 * @param lockTimeout how long to wait for the per-target lock
 * @param connectTimeout how long to wait for a connection
 * @param revisionsSchema where the revisions table lives; null means Atlas' default
 * @param operatorVersion written to {@code operator_version}
 */
public record ApplyOptions(int amount, String toVersion, boolean dryRun, String baseline, boolean allowDirty,
        TxMode txMode, ExecOrder execOrder, Duration lockTimeout, Duration connectTimeout,
        String revisionsSchema, String operatorVersion) {

    /** What we write into {@code operator_version}. */
    public static final String OPERATOR_VERSION = "Flotilla v" + Version.VERSION;

    public ApplyOptions {
        Objects.requireNonNull(txMode, "txMode");
        Objects.requireNonNull(execOrder, "execOrder");
        Objects.requireNonNull(lockTimeout, "lockTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(operatorVersion, "operatorVersion");
        if (amount < 0) {
            throw new IllegalArgumentException("amount must be >= 0, was " + amount);
        }
    }

    /** Atlas' defaults: all files, tx-mode file, linear order, 10 s lock timeout. */
    public static ApplyOptions defaults() {
        return builder().build();
    }

    /** A builder holding Atlas' defaults (see {@link #defaults()}); never null. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change some of them; never null. */
    public Builder toBuilder() {
        return new Builder().amount(amount).toVersion(toVersion).dryRun(dryRun).baseline(baseline)
                .allowDirty(allowDirty).txMode(txMode).execOrder(execOrder).lockTimeout(lockTimeout)
                .connectTimeout(connectTimeout).revisionsSchema(revisionsSchema).operatorVersion(operatorVersion);
    }

    /**
     * Collects options; {@link #build()} checks them. Each setter takes the value of the record
     * component of the same name. Not thread-safe; build once and share the options.
     */
    public static final class Builder {
        private int amount;
        private String toVersion;
        private boolean dryRun;
        private String baseline;
        private boolean allowDirty;
        private TxMode txMode = TxMode.FILE;
        private ExecOrder execOrder = ExecOrder.LINEAR;
        private Duration lockTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private String revisionsSchema;
        private String operatorVersion = OPERATOR_VERSION;

        private Builder() {
        }

        public Builder amount(int n) {
            this.amount = n;
            return this;
        }

        public Builder toVersion(String v) {
            this.toVersion = v;
            return this;
        }

        public Builder dryRun(boolean b) {
            this.dryRun = b;
            return this;
        }

        public Builder baseline(String v) {
            this.baseline = v;
            return this;
        }

        public Builder allowDirty(boolean b) {
            this.allowDirty = b;
            return this;
        }

        public Builder txMode(TxMode m) {
            this.txMode = m;
            return this;
        }

        public Builder execOrder(ExecOrder o) {
            this.execOrder = o;
            return this;
        }

        public Builder lockTimeout(Duration d) {
            this.lockTimeout = d;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = d;
            return this;
        }

        public Builder revisionsSchema(String s) {
            this.revisionsSchema = s;
            return this;
        }

        public Builder operatorVersion(String v) {
            this.operatorVersion = v;
            return this;
        }

        /**
         * The options.
         *
         * @throws NullPointerException when txMode, execOrder, a timeout or operatorVersion is null
         * @throws IllegalArgumentException when amount is negative
         */
        public ApplyOptions build() {
            return new ApplyOptions(amount, toVersion, dryRun, baseline, allowDirty, txMode, execOrder, lockTimeout,
                    connectTimeout, revisionsSchema, operatorVersion);
        }
    }
}
