package dev.flotilla.coordinator.config;

import dev.flotilla.migrate.url.DatabaseUrl;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code env "name" { … }} block of the project file.
 *
 * @param name the env label; never null
 * @param migrationDir the {@code migration { dir = … }} URL, e.g. {@code atlas://db-per-tenant} or
 *     {@code file://migrations}; {@code file://migrations} (Atlas' default) when the block has
 *     none; never null
 * @param devUrl the {@code dev} database URL, e.g. {@code sqlite://?mode=memory}; null when not set.
 *     It may contain a password: print it with {@link DatabaseUrl#redact(String)}
 * @param targets the databases to migrate, resolved at each deployment; never null
 * @param baseline the {@code migration { baseline = … }} version recorded on a target that has no
 *     revisions yet; null for none
 * @param txMode the {@code migration { tx_mode = … }} transaction mode ({@code file}, {@code all},
 *     {@code none}); null for Atlas' default, {@code file}
 * @param repo the {@code migration { repo { name, backup } }} block: where pushes go and the backup
 *     repositories; {@link RepoConfig#NONE} when the env has none; never null
 * @param deployment the {@code deployment} its {@code rollout} block stages rollouts with; null for
 *     a flat rollout (every target at once, bounded only by the workers)
 * @param toVersion the {@code migration { to_version = … }} version no rollout of the env goes past;
 *     null for the directory's latest
 */
public record EnvConfig(String name, String migrationDir, String devUrl, TargetSource targets, String baseline,
        String txMode, RepoConfig repo, DeploymentConfig deployment, String toVersion) {
    private static final String REGISTRY_SCHEME = "atlas://";

    public EnvConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(migrationDir, "migrationDir");
        Objects.requireNonNull(targets, "targets");
        Objects.requireNonNull(repo, "repo");
    }

    /** An env without staged rollouts or a version cap. */
    public EnvConfig(String name, String migrationDir, String devUrl, TargetSource targets, String baseline,
            String txMode, RepoConfig repo) {
        this(name, migrationDir, devUrl, targets, baseline, txMode, repo, null, null);
    }

    /** An env without a repo block. */
    public EnvConfig(String name, String migrationDir, String devUrl, TargetSource targets, String baseline,
            String txMode) {
        this(name, migrationDir, devUrl, targets, baseline, txMode, RepoConfig.NONE);
    }

    /** An env with Atlas' defaults for baseline and transaction mode, and no repo block. */
    public EnvConfig(String name, String migrationDir, String devUrl, TargetSource targets) {
        this(name, migrationDir, devUrl, targets, null, null);
    }

    /** The {@code migration { repo { backup = [...] } }} URLs, in the order they are tried; never null. */
    public List<String> backups() {
        return repo.backups();
    }

    /** Name of the registry directory this env follows when migrationDir is atlas://NAME[?tag=T], else empty. */
    public Optional<String> registryDirectory() {
        if (!migrationDir.startsWith(REGISTRY_SCHEME)) {
            return Optional.empty();
        }
        String rest = migrationDir.substring(REGISTRY_SCHEME.length());
        int q = rest.indexOf('?');
        return Optional.of(q >= 0 ? rest.substring(0, q) : rest).filter(s -> !s.isEmpty());
    }

    /** The {@code tag} of an atlas://NAME?tag=T migration dir; empty when there is none (follow the latest). */
    public Optional<String> registryTag() {
        return registryParam("tag");
    }

    /**
     * The version no rollout of this env goes past: the lower of {@code to_version} and the
     * {@code version} of an atlas://NAME?version=V migration dir (Atlas reads the directory as it
     * was at V); null when neither is given.
     */
    public String versionCap() {
        String pinned = registryParam("version").orElse(null);
        if (toVersion == null || pinned == null) {
            return toVersion != null ? toVersion : pinned;
        }
        return toVersion.compareTo(pinned) <= 0 ? toVersion : pinned;
    }

    private Optional<String> registryParam(String key) {
        if (registryDirectory().isEmpty()) {
            return Optional.empty();
        }
        int q = migrationDir.indexOf('?');
        if (q < 0) {
            return Optional.empty();
        }
        for (String pair : migrationDir.substring(q + 1).split("&")) {
            if (pair.startsWith(key + "=")) {
                return Optional.of(URLDecoder.decode(pair.substring(key.length() + 1), StandardCharsets.UTF_8))
                        .filter(s -> !s.isEmpty());
            }
        }
        return Optional.empty();
    }

    /** Shows the dev URL redacted. */
    @Override
    public String toString() {
        return "EnvConfig[name=" + name + ", migrationDir=" + migrationDir + ", devUrl=" + DatabaseUrl.redact(devUrl)
                + ", targets=" + targets + (repo.backups().isEmpty() ? "" : ", backups=" + repo.backups()) + "]";
    }
}
