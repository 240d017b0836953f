package dev.flotilla.coordinator.config;

import java.util.List;
import java.util.Objects;

/**
 * The {@code migration { repo { name = "app", backup = [...] } }} block of an env, as Atlas writes it:
 * the registry directory the env's pushes go to, and the backup repositories every push is copied to
 * and that {@code atlas://} reads fall back to, in order, when the registry is unreachable.
 *
 * @param name the registry directory ({@code repo.name}), e.g. {@code app}; null when the block sets none
 * @param backups the {@code repo.backup} URLs in the order they are tried, e.g.
 *     {@code s3://bucket/prefix?region=us-east-1} or {@code file:///var/lib/atlas/backup}; checked for
 *     shape when the file loads (a scheme and a bucket or path), not for support; never null, may be empty
 */
public record RepoConfig(String name, List<String> backups) {
    /** No repo block: no name, no backups. */
    public static final RepoConfig NONE = new RepoConfig(null, List.of());

    public RepoConfig {
        backups = List.copyOf(Objects.requireNonNull(backups, "backups"));
    }
}
