package dev.flotilla.coordinator.config;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Flotilla's own rollout settings, kept out of {@code atlas.hcl} so that the project file keeps
 * working with Atlas: a {@code flotilla.hcl} beside it.
 *
 * <pre>
 * env "prod" {
 *   halt {
 *     failure_ratio = 0.2   # pause the rollout when this share of a group's finished targets failed,
 *     min_finished  = 5     # once at least this many of the group finished
 *   }
 *   promote_from = "staging"  # prod gets a version only once every target of staging reached it
 * }
 * env "*" { … }               # every env without a block of its own
 * </pre>
 */
public final class PolicyConfig {
    /** No halt, no promotion: Atlas' own behaviour. */
    public static final PolicyConfig NONE = new PolicyConfig(Map.of());

    /**
     * When a rollout pauses itself: once at least {@code minFinished} targets of one group finished
     * and at least {@code failureRatio} of them failed.
     */
    public record Halt(double failureRatio, int minFinished) {
        public Halt {
            if (!(failureRatio > 0 && failureRatio <= 1) || minFinished < 1) {
                throw new IllegalArgumentException("failure_ratio must be in (0, 1] and min_finished at least 1");
            }
        }

        /** Whether {@code failed} of {@code finished} crosses the threshold. */
        public boolean crossed(int failed, int finished) {
            return finished >= minFinished && failed > 0 && failed >= failureRatio * finished;
        }
    }

    /** The settings of one env; both parts optional. */
    public record EnvPolicy(Halt halt, String promoteFrom) {
        static final EnvPolicy NONE = new EnvPolicy(null, null);
    }

    private static final Set<String> ENV_KEYS = Set.of("promote_from");
    private static final Set<String> HALT_KEYS = Set.of("failure_ratio", "min_finished");

    private final Map<String, EnvPolicy> envs;

    private PolicyConfig(Map<String, EnvPolicy> envs) {
        this.envs = Map.copyOf(envs);
    }

    /** The policy of {@code env}: its own block, else {@code env "*"}, else none. */
    public EnvPolicy forEnv(String env) {
        return envs.getOrDefault(env, envs.getOrDefault("*", EnvPolicy.NONE));
    }

    /** The envs that take their versions from {@code source}. */
    public List<String> promotedFrom(String source) {
        return envs.entrySet().stream().filter(e -> !"*".equals(e.getKey()))
                .filter(e -> source.equals(e.getValue().promoteFrom())).map(Map.Entry::getKey).sorted().toList();
    }

    /**
     * The {@code flotilla.hcl} beside the project file, or {@link #NONE} when there is none.
     *
     * @throws FlotillaException CONFIG_INVALID naming the file, block, line and the fix
     */
    public static PolicyConfig besides(Path atlasHcl) {
        Path p = atlasHcl.toAbsolutePath().resolveSibling("flotilla.hcl");
        try {
            return parse(Files.readString(p), p.toString());
        } catch (NoSuchFileException e) {
            return NONE;
        } catch (IOException e) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    /** Reads policy text; {@code name} is the file name messages give. */
    public static PolicyConfig parse(String hcl, String name) {
        SourceFile file = new SourceFile(name, Path.of("."));
        ConfigErrors errors = new ConfigErrors(file);
        List<Block> blocks = HclSyntax.parse(hcl, file, errors);
        Map<String, EnvPolicy> envs = new LinkedHashMap<>();
        for (Block b : blocks) {
            if (!b.type().equals("env") || b.labels().size() != 1) {
                errors.add(b.line(), b.describe(), "is not a Flotilla setting; " + name + " holds env \"NAME\" { halt"
                        + " { failure_ratio = 0.2  min_finished = 5 }  promote_from = \"staging\" } blocks");
                continue;
            }
            if (envs.containsKey(b.name())) {
                errors.add(b.line(), b.describe(), "appears twice; keep one block per env");
            }
            errors.check(() -> envs.put(b.name(), env(b, errors)));
        }
        errors.throwIfAny();
        envs.forEach((env, p) -> {
            if (env.equals(p.promoteFrom())) {
                throw new FlotillaException(ErrorCode.CONFIG_INVALID, name + ": env \"" + env + "\" cannot be"
                        + " promoted from itself; name another env in promote_from");
            }
        });
        return new PolicyConfig(envs);
    }

    private static EnvPolicy env(Block b, ConfigErrors errors) {
        String where = b.describe();
        for (Block.Attribute a : b.attributes()) {
            if (!ENV_KEYS.contains(a.name())) {
                errors.add(a.line(), where, "has an unknown setting " + a.name() + "; known: " + ENV_KEYS
                        + " and a halt block");
            }
        }
        String promote = b.attribute("promote_from").map(a -> string(a, where)).orElse(null);
        Halt halt = null;
        for (Block h : b.blocks()) {
            if (!h.type().equals("halt")) {
                errors.add(h.line(), where, "has an unknown block " + h.describe() + "; known: halt");
                continue;
            }
            halt = halt(h, where + " " + h.describe(), errors);
        }
        return new EnvPolicy(halt, promote);
    }

    private static Halt halt(Block h, String where, ConfigErrors errors) {
        for (Block.Attribute a : h.attributes()) {
            if (!HALT_KEYS.contains(a.name())) {
                errors.add(a.line(), where, "has an unknown setting " + a.name() + "; known: " + HALT_KEYS);
            }
        }
        Block.Attribute ratio = h.attribute("failure_ratio").orElseThrow(() -> new FlotillaException(
                ErrorCode.CONFIG_INVALID, where + " (line " + h.line() + ") needs failure_ratio, e.g. 0.2 to pause when"
                + " a fifth of a group's finished targets failed"));
        double r = number(ratio, where).doubleValue();
        int min = h.attribute("min_finished").map(a -> number(a, where).intValue()).orElse(1);
        if (!(r > 0 && r <= 1)) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, where + ": failure_ratio (line " + ratio.line()
                    + ") is " + r + "; it must be more than 0 and at most 1, e.g. 0.2");
        }
        if (min < 1) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, where + ": min_finished is " + min + "; it must be"
                    + " at least 1");
        }
        return new Halt(r, min);
    }

    private static BigDecimal number(Block.Attribute a, String where) {
        Object v = literal(a.value());
        if (v instanceof BigDecimal d) {
            return d;
        }
        throw new FlotillaException(ErrorCode.CONFIG_INVALID, where + ": " + a.name() + " (line " + a.line() + ") is "
                + a.value().source() + "; it must be a number");
    }

    private static String string(Block.Attribute a, String where) {
        Object v = literal(a.value());
        if (v instanceof String s && !s.isBlank()) {
            return s;
        }
        throw new FlotillaException(ErrorCode.CONFIG_INVALID, where + ": " + a.name() + " (line " + a.line() + ") is "
                + a.value().source() + "; it must be an env name in quotes, e.g. \"staging\"");
    }

    /** The value of a literal, or of a template made of literals only; null for anything else. */
    private static Object literal(Expr e) {
        if (e instanceof Expr.Literal l) {
            return l.value();
        }
        if (e instanceof Expr.Template t) {
            StringBuilder s = new StringBuilder();
            for (Expr p : t.parts()) {
                if (!(p instanceof Expr.Literal l)) {
                    return null;
                }
                s.append(l.value());
            }
            return s.toString();
        }
        return null;
    }

    /** The env's promotion source, if it has one. */
    public Optional<String> promoteFrom(String env) {
        return Optional.ofNullable(forEnv(env).promoteFrom());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PolicyConfig p && envs.equals(p.envs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(envs);
    }

    @Override
    public String toString() {
        return "PolicyConfig" + envs;
    }
}
