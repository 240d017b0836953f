package dev.flotilla.cli.deploy;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The repository's {@code docker-compose.yml} as compose reads it: anchors and merge keys
 * resolved, {@code ${VAR}}, {@code ${VAR:-default}} and {@code ${VAR:?message}} substituted from
 * the variables given (a missing required one fails with compose's message).
 */
final class Compose {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}");

    private final Path dir;
    private final Map<String, Object> root;

    private Compose(Path dir, Map<String, Object> root) {
        this.dir = dir;
        this.root = root;
    }

    /** The repository root (the tests run in {@code cli/}). */
    static Path repositoryRoot() {
        return Path.of("..").toAbsolutePath().normalize();
    }

    static Compose load(Path file, Map<String, String> variables) throws IOException {
        String text = substitute(Files.readString(file), variables);
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(200);
        Map<String, Object> root = new Yaml(options).load(text);
        return new Compose(file.getParent(), root);
    }

    static String substitute(String text, Map<String, String> variables) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = variables.get(m.group(1));
            String op = m.group(2);
            if (op != null && op.endsWith("?") && (value == null || value.isEmpty())) {
                throw new IllegalStateException("required variable " + m.group(1) + ": " + m.group(3));
            }
            if (op != null && op.endsWith("-") && (value == null || value.isEmpty())) {
                value = m.group(3);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : value));
        }
        m.appendTail(out);
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> services() {
        return (Map<String, Map<String, Object>>) root.get("services");
    }

    Map<String, Object> service(String name) {
        Map<String, Object> s = services().get(name);
        if (s == null) {
            throw new IllegalStateException("docker-compose.yml has no service " + name);
        }
        return s;
    }

    /** The service's command, as a list. */
    @SuppressWarnings("unchecked")
    static List<String> command(Map<String, Object> service) {
        Object c = service.get("command");
        if (c == null) {
            return List.of();
        }
        if (c instanceof List) {
            List<String> out = new ArrayList<>();
            ((List<Object>) c).forEach(x -> out.add(String.valueOf(x)));
            return out;
        }
        return List.of(String.valueOf(c).trim().split("\\s+"));
    }

    /** The service's environment (map or list form), values as strings. */
    @SuppressWarnings("unchecked")
    static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> out = new LinkedHashMap<>();
        Object e = service.get("environment");
        if (e instanceof Map) {
            ((Map<String, Object>) e).forEach((k, v) -> out.put(k, v == null ? "" : String.valueOf(v)));
        } else if (e instanceof List) {
            for (Object x : (List<Object>) e) {
                String s = String.valueOf(x);
                int eq = s.indexOf('=');
                out.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
            }
        }
        return out;
    }

    /** The names this service waits for, from {@code depends_on} (list or map form). */
    @SuppressWarnings("unchecked")
    static List<String> dependsOn(Map<String, Object> service) {
        Object d = service.get("depends_on");
        if (d instanceof Map) {
            return new ArrayList<>(((Map<String, Object>) d).keySet());
        }
        return d == null ? List.of() : new ArrayList<>((List<String>) d);
    }

    /** {@code depends_on.<name>.condition}, or null. */
    @SuppressWarnings("unchecked")
    static String condition(Map<String, Object> service, String dependency) {
        Object d = service.get("depends_on");
        if (d instanceof Map) {
            Object c = ((Map<String, Object>) d).get(dependency);
            return c instanceof Map ? String.valueOf(((Map<String, Object>) c).get("condition")) : null;
        }
        return null;
    }

    /** {@code deploy.replicas}, 1 when absent. */
    @SuppressWarnings("unchecked")
    static int replicas(Map<String, Object> service) {
        Object d = service.get("deploy");
        if (d instanceof Map && ((Map<String, Object>) d).get("replicas") != null) {
            return Integer.parseInt(String.valueOf(((Map<String, Object>) d).get("replicas")));
        }
        return 1;
    }

    /** The service's health check command. */
    @SuppressWarnings("unchecked")
    static List<String> healthcheck(Map<String, Object> service) {
        Object h = service.get("healthcheck");
        if (!(h instanceof Map)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        ((List<Object>) ((Map<String, Object>) h).get("test")).forEach(x -> out.add(String.valueOf(x)));
        return out;
    }

    /**
     * Where a path inside the container comes from on this machine, by the service's bind mounts
     * ({@code ./deploy/demo:/etc/flotilla:ro}); null when no mount covers it.
     */
    @SuppressWarnings("unchecked")
    Path hostPath(Map<String, Object> service, String containerPath) {
        Object v = service.get("volumes");
        if (!(v instanceof List)) {
            return null;
        }
        for (Object x : (List<Object>) v) {
            String[] parts = String.valueOf(x).split(":");
            if (parts.length >= 2 && parts[0].startsWith(".") && (containerPath.equals(parts[1])
                    || containerPath.startsWith(parts[1] + "/"))) {
                return dir.resolve(parts[0]).resolve(containerPath.substring(parts[1].length()).replaceFirst("^/", ""))
                        .normalize();
            }
        }
        return null;
    }
}
