package dev.flotilla.coordinator.config;

import dev.flotilla.migrate.url.DatabaseUrl;

import java.util.Map;
import java.util.Objects;

/**
 * One database a deployment migrates: a tenant of a {@code for_each} env, or the single URL of an
 * env without one.
 *
 * @param name {@code each.value} for a {@code for_each} env (a tenant name: letters, digits and
 *     {@code _ . $ -} only), else the env name; never null
 * @param url the full database URL, including its password: give it to the driver only, print
 *     {@link #redactedUrl()}; never null
 * @param vars the values of the env's {@code rollout { vars = {…} }} for this target, which a
 *     deployment's groups match and order by; empty without a rollout block
 */
public record Target(String name, String url, Map<String, Object> vars) {
    public Target {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
        vars = Map.copyOf(vars);
    }

    /** A target without rollout vars. */
    public Target(String name, String url) {
        this(name, url, Map.of());
    }

    /** The same target with these rollout vars. */
    Target withVars(Map<String, Object> v) {
        return new Target(name, url, v);
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
