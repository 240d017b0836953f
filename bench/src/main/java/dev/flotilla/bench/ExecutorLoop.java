package dev.flotilla.bench;

import dev.flotilla.migrate.exec.ApplyListener;
import dev.flotilla.migrate.exec.ApplyOptions;
import dev.flotilla.migrate.exec.ApplyResult;
import dev.flotilla.migrate.exec.MigrationExecutor;
import dev.flotilla.migrate.exec.PreparedDirectory;
import dev.flotilla.migrate.url.DatabaseUrl;

/**
 * Flotilla's per-target executor alone ({@code MigrationExecutor}, what a worker runs for each
 * command) in the same loop as the floor: no Kafka, no events, no views. Separates what the
 * executor costs from what the fabric around it costs.
 */
final class ExecutorLoop implements TenantLoop.Task {
    private static final ApplyListener QUIET = new ApplyListener() {
    };

    private final Fleet fleet;
    private final PreparedDirectory dir;
    private final MigrationExecutor executor = new MigrationExecutor();

    ExecutorLoop(Fleet fleet, PreparedDirectory dir) {
        this.fleet = fleet;
        this.dir = dir;
    }

    @Override
    public void run(String tenant) {
        ApplyResult r = executor.apply(DatabaseUrl.parse(fleet.atlasUrl(tenant)), dir, ApplyOptions.defaults(), QUIET);
        if (r.error() != null) {
            throw new IllegalStateException(tenant + ": " + r.error());
        }
    }
}
