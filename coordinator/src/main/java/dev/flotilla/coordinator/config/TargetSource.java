package dev.flotilla.coordinator.config;

import dev.flotilla.migrate.FlotillaException;

import java.util.List;

/**
 * The target group of an env. Resolved again at each deployment: {@code data "sql"} sources are
 * queried and {@code file()}s re-read on every call, so tenants added since the project file was
 * loaded are included.
 */
public interface TargetSource {
    /**
     * The targets, in {@code for_each} order ({@code toset} sorts them); empty when the for_each
     * list is empty. Safe to call from several threads; each call evaluates independently.
     *
     * @throws FlotillaException {@code CONFIG_INVALID} when the env has no url, a tenant name is
     *     refused or a value is of the wrong type; {@code CONNECTION_FAILED} or {@code AUTH_FAILED}
     *     when a data source's database cannot be reached. Messages never contain a password.
     */
    List<Target> resolve();
}
