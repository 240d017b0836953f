package dev.flotilla.bench;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;

import java.nio.file.Path;

/**
 * The peer: Flyway's Java API, one {@code Flyway} per tenant (as a Flyway loop over a fleet is
 * written), on the same SQL under Flyway's {@code V1__…} names.
 */
final class FlywayLoop implements TenantLoop.Task {
    private final Fleet fleet;
    private final Path dir;

    FlywayLoop(Fleet fleet, Path flywayDir) {
        this.fleet = fleet;
        this.dir = flywayDir.toAbsolutePath();
    }

    @Override
    public void run(String tenant) {
        FluentConfiguration c = Flyway.configure().dataSource(fleet.jdbcUrl(tenant), null, null)
                .locations("filesystem:" + dir);
        fleet.schema(tenant).ifPresent(c::schemas);
        MigrateResult r = c.load().migrate();
        if (!r.success) {
            throw new IllegalStateException("Flyway failed on " + tenant + ": " + r.getFailedMigrations().size()
                    + " failed migration(s)");
        }
    }
}
