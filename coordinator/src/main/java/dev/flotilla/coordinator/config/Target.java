package dev.flotilla.coordinator.config;

import dev.flotilla.migrate.url.DatabaseUrl;

import java.util.Objects;

/**
 * One database a deployment migrates: a tenant of a {@code for_each} env, or the single URL of an
 * env without one.
 *
 * @param name {@code each.value} for a {@code for_each} env (a tenant name: letters, digits and
 *     {@code _ . $ -} only), else the env name; never null
 * @param url the full database URL, including its password: give it to the driver only, print
 *     {@link #redactedUrl()}; never null
 */
public record Target(String name, String url) {
    public Target {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
    }

    /** The URL with its password replaced by {@value DatabaseUrl#MASK}; safe to log and report. */
    public String redactedUrl() {
        return DatabaseUrl.redact(url);
    }

    /** Shows the redacted URL: a target never prints its password. */
    @Override
    public String toString() {
        return "Target[name=" + name + ", url=" + redactedUrl() + "]";
    }
}
