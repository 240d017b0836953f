package dev.flotilla.coordinator.config;

import dev.flotilla.coordinator.config.Block.Attribute;
import dev.flotilla.coordinator.config.Evaluator.Scope;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the {@code repo} block inside an env's {@code migration} block into a {@link RepoConfig}.
 * Both attributes must be known when the file loads (no data sources): pushes and reads use them
 * before any deployment.
 */
final class RepoBlock {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
    /** Atlas' blob URL schemes; which of them flotilla can open is decided where backups are opened. */
    private static final List<String> SCHEMES = List.of("s3", "gs", "azureblob", "file");
    private static final String EXAMPLE = "backup = [\"s3://bucket/prefix?region=us-east-1\","
            + " \"file:///var/lib/atlas/backup\"]";

    private final Evaluator checker;
    private final ConfigErrors errors;
    private final String where;

    private RepoBlock(Evaluator checker, ConfigErrors errors, String where) {
        this.checker = checker;
        this.errors = errors;
        this.where = where;
    }

    /**
     * The repo of a migration block, recording every problem in {@code errors}.
     *
     * @param migration the env's migration block, or null when it has none
     * @param where the env block, e.g. {@code env "prod"}
     * @param registryDir the directory of an {@code atlas://NAME} migration dir, or null
     */
    static RepoConfig read(Block migration, Evaluator checker, ConfigErrors errors, String where,
            String registryDir) {
        if (migration == null || migration.blocks("repo").isEmpty()) {
            return RepoConfig.NONE;
        }
        List<Block> repos = migration.blocks("repo");
        RepoBlock reader = new RepoBlock(checker, errors, where);
        if (repos.size() > 1) {
            errors.add(repos.get(1).line(), where + ": migration", "has " + repos.size() + " repo blocks; keep one");
        }
        Block repo = repos.get(0);
        String name = repo.attribute("name").flatMap(a -> errors.get(() -> reader.name(a, registryDir))).orElse(null);
        List<String> backups = repo.attribute("backup").map(reader::backups).orElse(List.of());
        return new RepoConfig(name, backups);
    }

    private String name(Attribute a, String registryDir) {
        Scope scope = Scope.of(where, "migration.repo.name");
        String name = checker.string(a.value(), scope, "the repo name must be known when the file is loaded");
        if (!NAME.matcher(name).matches()) {
            throw checker.error(a.value(), scope, "is " + ValueText.quote(name) + "; a registry directory name is"
                    + " letters, digits, '-' and '_', e.g. name = \"app\"");
        }
        if (registryDir != null && !registryDir.equals(name)) {
            throw checker.error(a.value(), scope, "is " + ValueText.quote(name) + " but migration.dir reads atlas://"
                    + registryDir + "; both name the env's registry directory: make them the same");
        }
        return name;
    }

    private List<String> backups(Attribute a) {
        Scope scope = Scope.of(where, "migration.repo.backup");
        Optional<Object> value = errors.get(() -> checker.eval(a.value(), scope));
        if (value.isEmpty()) {
            return List.of();
        }
        if (value.get() == KnownAtDeployment.VALUE) {
            errors.add(checker.error(a.value(), scope, a.value().source() + " depends on a data source, but the"
                    + " backup URLs must be known when the file is loaded"));
            return List.of();
        }
        if (!(value.get() instanceof List)) {
            errors.add(checker.error(a.value(), scope, "must be a list of URLs, but " + a.value().source() + " is "
                    + Evaluator.describe(value.get()) + "; write " + EXAMPLE));
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Object item : (List<?>) value.get()) {
            errors.get(() -> url(item, a, scope, out)).ifPresent(out::add);
        }
        return out;
    }

    private String url(Object item, Attribute a, Scope scope, List<String> seen) {
        if (!(item instanceof String)) {
            throw checker.error(a.value(), scope, "every element must be a URL string, but one is "
                    + Evaluator.describe(item) + "; write " + EXAMPLE);
        }
        String url = (String) item;
        int sep = url.indexOf("://");
        String scheme = sep > 0 ? url.substring(0, sep) : "";
        String rest = sep > 0 ? url.substring(sep + 3) : "";
        String location = rest.replaceFirst("[?#].*$", "");
        if (!SCHEMES.contains(scheme) || location.isEmpty() || location.equals("/")) {
            throw checker.error(a.value(), scope, ValueText.quote(url) + " is not a backup URL: write a bucket URL"
                    + " such as s3://bucket/prefix?region=us-east-1, gs://bucket/prefix, azureblob://container/prefix"
                    + " or a directory such as file:///var/lib/atlas/backup");
        }
        if (seen.contains(url)) {
            throw checker.error(a.value(), scope, ValueText.quote(url) + " is listed twice; keep one");
        }
        return url;
    }
}
