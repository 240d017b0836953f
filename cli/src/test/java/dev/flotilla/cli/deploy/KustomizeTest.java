package dev.flotilla.cli.deploy;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code deploy/k8s} renders with {@code kubectl kustomize} (base and example overlay), and every
 * rendered object holds up: the kinds a deployment needs, each Deployment's command a Flotilla
 * service, probes on the health routes the code serves and a port the container declares,
 * requests and limits, a non-root user, only environment variables the code reads, no secret in
 * a ConfigMap, and a PrometheusRule whose groups are the Prometheus rules file's.
 */
class KustomizeTest {
    private static final Path ROOT = Compose.repositoryRoot();
    private static final Pattern SECRETISH = Pattern.compile("(?i)password|token|secret|flt_");

    @Test
    void theBaseRendersCompleteObjects() throws Exception {
        checkRendering("deploy/k8s/base");
    }

    @Test
    void theExampleOverlayRendersCompleteObjects() throws Exception {
        checkRendering("deploy/k8s/overlays/example");
    }

    private static void checkRendering(String dir) throws Exception {
        List<Map<String, Object>> objects = render(ROOT.resolve(dir));
        Set<String> kinds = new HashSet<>();
        objects.forEach(o -> kinds.add(String.valueOf(o.get("kind"))));
        assertThat(kinds).contains("Deployment", "Service", "ConfigMap", "HorizontalPodAutoscaler", "ServiceMonitor",
                "PrometheusRule");
        Set<String> envRead = environmentTheCodeReads();
        String serviceHost = Files.readString(ROOT.resolve("fabric/src/main/java/dev/flotilla/fabric/ServiceHost.java"));
        Set<String> deployments = new HashSet<>();
        for (Map<String, Object> o : objects) {
            String what = o.get("kind") + " " + get(o, "metadata", "name");
            assertThat(o.get("apiVersion")).as(what).isNotNull();
            assertThat(get(o, "metadata", "name")).as(what).isNotNull();
            switch (String.valueOf(o.get("kind"))) {
                case "Deployment":
                    deployments.add(String.valueOf(get(o, "metadata", "name")));
                    checkDeployment(what, o, serviceHost, envRead);
                    break;
                case "ConfigMap":
                    Map<String, Object> data = map(o.get("data"));
                    data.forEach((k, v) -> {
                        assertThat(k).as(what + ": a secret belongs in a Secret").doesNotContainPattern(SECRETISH);
                        if (k.startsWith("FLOTILLA_")) {
                            assertThat(envRead).as(what + ": " + k + " is read by the code").contains(k);
                        }
                        assertThat(String.valueOf(v)).as(what + "/" + k).doesNotContain("flt_")
                                // a URL's password only as a reference (getenv), never written out
                                .doesNotContainPattern("://[^/@\\s:]+:(?!\\$\\{)[^/@\\s]+@");
                    });
                    break;
                case "PrometheusRule":
                    Map<String, Object> rules = new Yaml().load(Files.readString(
                            ROOT.resolve("deploy/prometheus/rules/flotilla.yml")));
                    assertThat(get(o, "spec", "groups")).as(what + " is the rules file (deploy/k8s/"
                            + "generate-prometheusrule)").isEqualTo(rules.get("groups"));
                    break;
                case "ServiceMonitor":
                    for (Object e : (List<?>) get(o, "spec", "endpoints")) {
                        assertThat(map(e).get("path")).isEqualTo("/metrics");
                        assertThat(serviceHost).contains("\"/metrics\"");
                    }
                    break;
                case "Service":
                    for (Object p : (List<?>) get(o, "spec", "ports")) {
                        assertThat(map(p).get("targetPort")).as(what).isEqualTo("http");
                    }
                    break;
                default:
                    break;
            }
        }
        assertThat(deployments).containsExactlyInAnyOrder("flotilla-registry", "flotilla-coordinator",
                "flotilla-aggregator", "flotilla-worker", "flotilla-notifier");
        // the notifier's webhook routes are called through its Service: its name must pass the Host check
        assertThat(String.valueOf(objects.stream().filter(o -> "ConfigMap".equals(o.get("kind"))
                        && "flotilla-settings".equals(get(o, "metadata", "name"))).findFirst()
                .map(o -> get(o, "data", "FLOTILLA_ALLOWED_HOSTS")).orElse(null)).split(","))
                .as("FLOTILLA_ALLOWED_HOSTS").contains("flotilla-notifier");
        for (Map<String, Object> o : objects) {
            if ("HorizontalPodAutoscaler".equals(o.get("kind"))) {
                assertThat(deployments).contains(String.valueOf(get(o, "spec", "scaleTargetRef", "name")));
            }
        }
    }

    private static void checkDeployment(String what, Map<String, Object> d, String serviceHost, Set<String> envRead) {
        assertThat(get(d, "spec", "template", "spec", "securityContext", "runAsNonRoot")).as(what).isEqualTo(true);
        for (Object c0 : (List<?>) get(d, "spec", "template", "spec", "containers")) {
            Map<String, Object> c = map(c0);
            assertThat(String.valueOf(c.get("image"))).as(what + " image").isNotBlank();
            assertThat(((List<?>) c.get("args")).get(0)).as(what + " runs a service")
                    .isIn("registry", "coordinator", "worker", "aggregator", "notifier");
            Set<String> ports = new HashSet<>();
            for (Object p : (List<?>) c.get("ports")) {
                ports.add(String.valueOf(map(p).get("name")));
                assertThat(map(p).get("containerPort")).as(what + ": FLOTILLA_PORT in the settings").isEqualTo(8080);
            }
            for (String probe : List.of("readinessProbe", "livenessProbe")) {
                Object path = get(c, probe, "httpGet", "path");
                assertThat(path).as(what + " " + probe).isIn("/health/ready", "/health/live");
                assertThat(serviceHost).as("ServiceHost serves " + path).contains("\"" + path + "\"");
                assertThat(ports).as(what + " " + probe + " port").contains(String.valueOf(get(c, probe, "httpGet",
                        "port")));
            }
            assertThat(get(c, "resources", "requests", "cpu")).as(what + " cpu request").isNotNull();
            assertThat(get(c, "resources", "requests", "memory")).as(what + " memory request").isNotNull();
            assertThat(get(c, "resources", "limits", "memory")).as(what + " memory limit").isNotNull();
            for (Object e : c.get("env") == null ? List.of() : (List<?>) c.get("env")) {
                String name = String.valueOf(map(e).get("name"));
                if (name.startsWith("FLOTILLA_")) {
                    assertThat(envRead).as(what + ": " + name + " is read by the code").contains(name);
                }
                assertThat(map(e).get("value")).as(what + ": " + name + " comes from a Secret, not a literal").isNull();
            }
        }
    }

    /**
     * The FLOTILLA_* variables the main code reads: picocli's {@code ${env:…}} defaults and the
     * secrets read with {@code System.getenv}/{@code secret(…)}.
     */
    static Set<String> environmentTheCodeReads() throws IOException {
        Set<String> out = new HashSet<>();
        Pattern p = Pattern.compile("(?:env:|\")(FLOTILLA_[A-Z0-9_]+)[}:\"]");
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".java") && x.toString().contains("/src/main/"))
                    .toList()) {
                Matcher m = p.matcher(Files.readString(f));
                while (m.find()) {
                    out.add(m.group(1));
                }
            }
        }
        return out;
    }

    static List<Map<String, Object>> render(Path dir) throws Exception {
        Path kubectl = Path.of("/usr/bin/kubectl");
        assumeTrue(Files.isExecutable(kubectl) || Files.isExecutable(Path.of("/usr/local/bin/kubectl")),
                "kubectl is not installed: the Kubernetes manifests are not rendered");
        Process p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectError(ProcessBuilder.Redirect
                .INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize " + dir).isZero();
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object o : new Yaml().loadAll(out)) {
            if (o != null) {
                objects.add(map(o));
            }
        }
        return objects;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    private static Object get(Map<String, Object> o, String... path) {
        Object x = o;
        for (String k : path) {
            if (!(x instanceof Map)) {
                return null;
            }
            x = ((Map<?, ?>) x).get(k);
        }
        return x;
    }
}
