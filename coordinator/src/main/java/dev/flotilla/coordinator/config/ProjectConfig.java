package dev.flotilla.coordinator.config;

import dev.flotilla.coordinator.config.Block.Attribute;
import dev.flotilla.coordinator.config.Evaluator.Scope;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * An Atlas project file ({@code atlas.hcl}) read for deployments: its envs, each with a migration
 * directory, an optional dev database and a target group.
 *
 * <p>Loading checks the whole file and reports every problem at once: syntax, duplicate blocks,
 * unknown references and functions, variables without a value, {@code --var}s the file does not
 * declare, for_each values and tenant names, URLs. {@code data "sql"} sources are only checked
 * then; they are queried when a target group is {@linkplain TargetSource#resolve() resolved}.
 * Immutable and thread-safe.
 */
public final class ProjectConfig {
    /** Atlas' default when an env has no {@code migration { dir = … }}. */
    static final String DEFAULT_MIGRATION_DIR = "file://migrations";

    private final SourceFile file;
    private final List<EnvConfig> envs;
    private final boolean hasUnnamedEnvs;

    private ProjectConfig(SourceFile file, List<EnvConfig> envs, boolean hasUnnamedEnvs) {
        this.file = file;
        this.envs = List.copyOf(envs);
        this.hasUnnamedEnvs = hasUnnamedEnvs;
    }

    /**
     * Reads a project file; {@code file()} paths in it are relative to its directory.
     *
     * @param atlasHcl the project file, e.g. {@code atlas.hcl}
     * @param vars the {@code --var name=value} overrides; each must name a declared variable
     * @throws FlotillaException {@link ErrorCode#CONFIG_INVALID} listing every problem found, each
     *     naming the file, line, block, bad value and fix, never a password
     */
    public static ProjectConfig load(Path atlasHcl, Map<String, String> vars) {
        Objects.requireNonNull(atlasHcl, "atlasHcl");
        String text;
        try {
            text = Files.readString(atlasHcl);
        } catch (NoSuchFileException e) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "project file " + atlasHcl.toAbsolutePath()
                    + " does not exist; give the path of your atlas.hcl", e);
        } catch (CharacterCodingException e) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "project file " + atlasHcl + " is not UTF-8 text;"
                    + " save it as UTF-8", e);
        } catch (IOException e) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "cannot read project file " + atlasHcl + ": " + e
                    + "; check that it is a readable file", e);
        }
        Path dir = atlasHcl.toAbsolutePath().getParent();
        return parse(text, new SourceFile(atlasHcl.toString(), dir), vars, System::getenv);
    }

    /**
     * Reads project file text; messages call it {@code atlas.hcl}.
     *
     * @param baseDir the directory {@code file()} paths are relative to
     * @param vars the {@code --var name=value} overrides; each must name a declared variable
     * @throws FlotillaException as {@link #load(Path, Map)}
     */
    public static ProjectConfig parse(String hcl, Path baseDir, Map<String, String> vars) {
        return parse(hcl, new SourceFile("atlas.hcl", baseDir), vars, System::getenv);
    }

    static ProjectConfig parse(String hcl, SourceFile file, Map<String, String> vars, UnaryOperator<String> environment) {
        Objects.requireNonNull(hcl, "hcl");
        Objects.requireNonNull(vars, "vars");
        ConfigErrors errors = new ConfigErrors(file);
        List<Block> blocks = HclSyntax.parse(hcl, file, errors);
        ProjectModel model = ProjectModel.build(blocks, file, vars, environment, errors);
        Evaluator checker = new Evaluator(model, Evaluator.Mode.CHECK);
        model.checkDeclarations(checker, errors);
        Map<String, DeploymentConfig> deployments = new LinkedHashMap<>();
        model.deployments().forEach((name, b) -> deployments.put(name, DeploymentBlock.read(b, model, checker, errors)));
        List<EnvConfig> envs = new ArrayList<>();
        for (Block env : model.envs().values()) {
            envs.add(env(model, env, checker, errors, deployments));
        }
        errors.throwIfAny();
        return new ProjectConfig(file, envs, !model.unnamedEnvs().isEmpty());
    }

    private static EnvConfig env(ProjectModel model, Block env, Evaluator checker, ConfigErrors errors,
            Map<String, DeploymentConfig> deployments) {
        String where = env.describe();
        List<Block> migrations = env.blocks("migration");
        if (migrations.size() > 1) {
            errors.add(migrations.get(1).line(), where, "has " + migrations.size() + " migration blocks; keep one");
        }
        Optional<Attribute> dir = migrations.isEmpty() ? Optional.empty() : migrations.get(0).attribute("dir");
        String migrationDir = dir.flatMap(a -> errors.get(() -> migrationDir(checker, a, where)))
                .orElse(DEFAULT_MIGRATION_DIR);
        String dev = env.attribute("dev").flatMap(a -> errors.get(() -> checker.string(a.value(),
                Scope.of(where, "dev"), "the dev database must be known when the file is loaded"))).orElse(null);
        RolloutVars rollout = RolloutVars.read(env, deployments, errors);
        EnvTargets targets = new EnvTargets(model, env, rollout);
        errors.check(() -> targets.check(checker));
        Block migration = migrations.isEmpty() ? null : migrations.get(0);
        String baseline = migrationString(checker, errors, migration, "baseline", where);
        String txMode = migrationString(checker, errors, migration, "tx_mode", where);
        if (txMode != null && !List.of("file", "all", "none").contains(txMode)) {
            errors.add(migration.attribute("tx_mode").orElseThrow().line(), where, "migration.tx_mode is \"" + txMode
                    + "\"; it must be \"file\", \"all\" or \"none\"");
        }
        String registryDir = new EnvConfig(env.name(), migrationDir, null, targets).registryDirectory().orElse(null);
        RepoConfig repo = RepoBlock.read(migration, checker, errors, where, registryDir);
        String toVersion = migrationString(checker, errors, migration, "to_version", where);
        return new EnvConfig(env.name(), migrationDir, dev, targets, baseline, txMode, repo, rollout.deployment(),
                toVersion);
    }

    /** A string attribute of the migration block, known when the file is loaded; null when absent. */
    private static String migrationString(Evaluator checker, ConfigErrors errors, Block migration, String name,
            String where) {
        if (migration == null) {
            return null;
        }
        return migration.attribute(name).flatMap(a -> errors.get(() -> checker.string(a.value(),
                Scope.of(where, "migration." + name), "it must be known when the file is loaded"))).orElse(null);
    }

    private static String migrationDir(Evaluator checker, Attribute dir, String where) {
        Scope scope = Scope.of(where, "migration.dir");
        String value = checker.string(dir.value(), scope, "the migration directory must be known when the file is"
                + " loaded");
        if (value.isEmpty() || "atlas://".equals(value) || value.startsWith("atlas://?")) {
            throw checker.error(dir.value(), scope, "names no directory; write dir = \"file://migrations\" or dir ="
                    + " \"atlas://<registry directory>\"");
        }
        return value;
    }

    /** The envs in file order. */
    public List<EnvConfig> envs() {
        return envs;
    }

    /** The env with this name, if the file has one. */
    public Optional<EnvConfig> env(String name) {
        return envs.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /**
     * The env with this name.
     *
     * @throws FlotillaException {@link ErrorCode#CONFIG_INVALID} naming the file and the envs it has
     */
    public EnvConfig requireEnv(String name) {
        return env(name).orElseThrow(() -> new FlotillaException(ErrorCode.CONFIG_INVALID, file.name()
                + ": there is no env " + ValueText.quote(name) + "; " + (envs.isEmpty() ? "the file has no env blocks"
                : "the file has " + envs.stream().map(e -> ValueText.quote(e.name())).collect(Collectors.joining(", ")))
                + (hasUnnamedEnvs ? " (env blocks without a label, named by atlas.env, are not supported)" : "")
                + "; pass one of those names or add env " + ValueText.quote(name) + " { … } to the file"));
    }

    @Override
    public String toString() {
        return "ProjectConfig[" + file.name() + ": " + envs.stream().map(EnvConfig::name)
                .collect(Collectors.joining(", ")) + "]";
    }
}
