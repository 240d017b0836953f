package dev.flotilla.coordinator.config;

import dev.flotilla.coordinator.config.Block.Attribute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The blocks of a project file indexed by kind and name, plus the {@code --var} values: what an
 * {@link Evaluator} needs. Immutable once built.
 */
final class ProjectModel {
    private static final Logger LOG = LoggerFactory.getLogger(ProjectModel.class);

    private final SourceFile file;
    private final Map<String, Attribute> locals = new LinkedHashMap<>();
    private final Map<String, Block> variables = new LinkedHashMap<>();
    private final Map<String, Block> sqlSources = new LinkedHashMap<>();
    private final Map<String, Block> otherData = new LinkedHashMap<>();
    private final Map<String, Block> envs = new LinkedHashMap<>();
    private final Map<String, Block> deployments = new LinkedHashMap<>();
    private final List<Block> unnamedEnvs = new ArrayList<>();
    private final Map<String, String> overrides;
    private final Functions functions;

    private ProjectModel(SourceFile file, Map<String, String> overrides, UnaryOperator<String> environment) {
        this.file = file;
        this.overrides = Map.copyOf(overrides);
        this.functions = new Functions(file.baseDir(), environment);
    }

    /** Indexes the blocks, recording duplicates, malformed headers and undeclared {@code --var}s. */
    static ProjectModel build(List<Block> blocks, SourceFile file, Map<String, String> overrides,
            UnaryOperator<String> environment, ConfigErrors errors) {
        ProjectModel m = new ProjectModel(file, overrides, environment);
        for (Block b : blocks) {
            m.add(b, errors);
        }
        m.overrides.keySet().stream().filter(k -> !m.variables.containsKey(k)).sorted().forEach(k -> errors.add(0,
                "--var " + k, "the file declares no variable " + ValueText.quote(k) + " (" + m.declared(m.variables)
                        + "); remove --var " + k + " or declare it: variable " + ValueText.quote(k)
                        + " { type = string }"));
        return m;
    }

    private void add(Block b, ConfigErrors errors) {
        switch (b.type()) {
            case "locals":
                labels(b, 0, "locals { name = value }", errors);
                b.attributes().forEach(a -> unique(locals, a.name(), a, a.line(), "local " + a.name(), errors));
                break;
            case "variable":
                if (labels(b, 1, "variable \"name\" { type = string }", errors)) {
                    unique(variables, b.name(), b, b.line(), b.describe(), errors);
                }
                break;
            case "data":
                if (labels(b, 2, "data \"sql\" \"name\" { url = …, query = … }", errors)) {
                    Map<String, Block> target = "sql".equals(b.name()) ? sqlSources : otherData;
                    String key = "sql".equals(b.name()) ? b.labels().get(1) : b.name() + "." + b.labels().get(1);
                    unique(target, key, b, b.line(), b.describe(), errors);
                }
                break;
            case "env":
                if (b.labels().isEmpty()) {
                    unnamedEnvs.add(b);
                } else if (labels(b, 1, "env \"name\" { url = … }", errors)) {
                    unique(envs, b.name(), b, b.line(), b.describe(), errors);
                }
                break;
            case "deployment":
                if (labels(b, 1, "deployment \"staged\" { group \"canary\" { … } }", errors)) {
                    unique(deployments, b.name(), b, b.line(), b.describe(), errors);
                }
                break;
            default:
                LOG.debug("{}: ignoring the {} block; flotilla reads env, locals, variable, data and deployment blocks",
                        file.at(b.line()), b.type());
        }
    }

    private boolean labels(Block b, int count, String form, ConfigErrors errors) {
        if (b.labels().size() == count) {
            return true;
        }
        errors.add(b.line(), b.describe(), "takes " + count + (count == 1 ? " label" : " labels") + ", got "
                + b.labels().size() + "; write " + form);
        return false;
    }

    private static <T> void unique(Map<String, T> map, String key, T value, int line, String what,
            ConfigErrors errors) {
        T first = map.putIfAbsent(key, value);
        if (first != null) {
            int firstLine = first instanceof Block ? ((Block) first).line() : ((Attribute) first).line();
            errors.add(line, what, "is defined twice (lines " + firstLine + " and " + line + "); keep one of them");
        }
    }

    /** Checks every variable, local and data source, including unused ones, recording errors. */
    void checkDeclarations(Evaluator check, ConfigErrors errors) {
        variables.keySet().forEach(name -> errors.check(() -> check.variable(name)));
        locals.keySet().forEach(name -> errors.check(() -> check.local(name)));
        sqlSources.keySet().forEach(name -> errors.check(() -> check.sqlSource(name)));
    }

    /** "declared: a, b" or "none is declared". */
    String declared(Map<String, ?> map) {
        return map.isEmpty() ? "none is declared" : "declared: " + String.join(", ", map.keySet());
    }

    SourceFile file() {
        return file;
    }

    Map<String, Attribute> locals() {
        return Collections.unmodifiableMap(locals);
    }

    Map<String, Block> variables() {
        return Collections.unmodifiableMap(variables);
    }

    Map<String, Block> sqlSources() {
        return Collections.unmodifiableMap(sqlSources);
    }

    /** Data sources of other types, keyed {@code type.name}. */
    Map<String, Block> otherData() {
        return Collections.unmodifiableMap(otherData);
    }

    /** Deployment blocks by name, in file order. */
    Map<String, Block> deployments() {
        return Collections.unmodifiableMap(deployments);
    }

    /** Labelled env blocks by name, in file order. */
    Map<String, Block> envs() {
        return Collections.unmodifiableMap(envs);
    }

    /** {@code env { name = atlas.env … }} blocks, which flotilla does not support. */
    List<Block> unnamedEnvs() {
        return Collections.unmodifiableList(unnamedEnvs);
    }

    Map<String, String> overrides() {
        return overrides;
    }

    Functions functions() {
        return functions;
    }
}
