package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.dir.TxMode;

import java.time.Duration;
import java.util.Objects;

/**
 * How one {@code migrate apply} runs. Immutable; start from {@link #defaults()} and change with
 * the {@code with…} methods.
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
        return new ApplyOptions(0, null, false, null, false, TxMode.FILE, ExecOrder.LINEAR, Duration.ofSeconds(10),
                Duration.ofSeconds(10), null, OPERATOR_VERSION);
    }

    public ApplyOptions withAmount(int n) {
        return new ApplyOptions(n, toVersion, dryRun, baseline, allowDirty, txMode, execOrder, lockTimeout,
                connectTimeout, revisionsSchema, operatorVersion);
    }

    public ApplyOptions withToVersion(String v) {
        return new ApplyOptions(amount, v, dryRun, baseline, allowDirty, txMode, execOrder, lockTimeout,
                connectTimeout, revisionsSchema, operatorVersion);
    }

    public ApplyOptions withDryRun(boolean b) {
        return new ApplyOptions(amount, toVersion, b, baseline, allowDirty, txMode, execOrder, lockTimeout,
                connectTimeout, revisionsSchema, operatorVersion);
    }

    public ApplyOptions withBaseline(String v) {
        return new ApplyOptions(amount, toVersion, dryRun, v, allowDirty, txMode, execOrder, lockTimeout,
                connectTimeout, revisionsSchema, operatorVersion);
    }

    public ApplyOptions withAllowDirty(boolean b) {
        return new ApplyOptions(amount, toVersion, dryRun, baseline, b, txMode, execOrder, lockTimeout,
                connectTimeout, revisionsSchema, operatorVersion);
    }

    public ApplyOptions withTxMode(TxMode m) {
        return new ApplyOptions(amount, toVersion, dryRun, baseline, allowDirty, m, execOrder, lockTimeout,
                connectTimeout, revisionsSchema, operatorVersion);
    }

    public ApplyOptions withExecOrder(ExecOrder o) {
        return new ApplyOptions(amount, toVersion, dryRun, baseline, allowDirty, txMode, o, lockTimeout,
                connectTimeout, revisionsSchema, operatorVersion);
    }

    public ApplyOptions withLockTimeout(Duration d) {
        return new ApplyOptions(amount, toVersion, dryRun, baseline, allowDirty, txMode, execOrder, d,
                connectTimeout, revisionsSchema, operatorVersion);
    }

    public ApplyOptions withRevisionsSchema(String s) {
        return new ApplyOptions(amount, toVersion, dryRun, baseline, allowDirty, txMode, execOrder, lockTimeout,
                connectTimeout, s, operatorVersion);
    }
}
