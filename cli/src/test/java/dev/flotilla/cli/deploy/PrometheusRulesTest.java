package dev.flotilla.cli.deploy;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The alert rules under {@code deploy/prometheus} are valid for Prometheus ({@code promtool check
 * rules}), every alert has a unit test, and the unit tests pass ({@code promtool test rules}).
 * promtool comes with Debian's {@code prometheus} package; without it the two promtool checks are
 * skipped, saying so.
 */
class PrometheusRulesTest {
    static final Path PROMETHEUS = Compose.repositoryRoot().resolve("deploy/prometheus");

    @Test
    void rulesAreValidForPromtool() throws Exception {
        String out = promtool("check", "rules", PROMETHEUS.resolve("rules/flotilla.yml").toString());
        assertThat(out).contains("SUCCESS");
    }

    @Test
    void everyAlertsUnitTestsPass() throws Exception {
        String out = promtool("test", "rules", PROMETHEUS.resolve("tests/flotilla_test.yml").toString());
        assertThat(out).contains("SUCCESS");
    }

    @Test
    void everyAlertHasAUnitTestAndARunbookEntry() throws Exception {
        Set<String> alerts = alertNames();
        Set<String> tested = new LinkedHashSet<>();
        Map<String, Object> tests = new Yaml().load(Files.readString(PROMETHEUS.resolve("tests/flotilla_test.yml")));
        for (Object t : (List<?>) tests.get("tests")) {
            for (Object a : (List<?>) ((Map<?, ?>) t).get("alert_rule_test")) {
                Map<?, ?> art = (Map<?, ?>) a;
                if (!((List<?>) art.get("exp_alerts")).isEmpty()) {
                    tested.add(String.valueOf(art.get("alertname")));
                }
            }
        }
        assertThat(tested).as("alerts with a test in which they fire").containsAll(alerts);
        String runbook = Files.readString(Compose.repositoryRoot().resolve("docs/operations.md"));
        for (String a : alerts) {
            assertThat(runbook).as("docs/operations.md explains " + a).contains("`" + a + "`");
        }
    }

    /** The alert names of the rules file. */
    static Set<String> alertNames() throws IOException {
        Set<String> out = new LinkedHashSet<>();
        for (Map<?, ?> rule : rules()) {
            out.add(String.valueOf(rule.get("alert")));
        }
        return out;
    }

    /** Every rule of the rules file. */
    static List<Map<?, ?>> rules() throws IOException {
        Map<String, Object> file = new Yaml().load(Files.readString(PROMETHEUS.resolve("rules/flotilla.yml")));
        List<Map<?, ?>> out = new ArrayList<>();
        for (Object g : (List<?>) file.get("groups")) {
            for (Object r : (List<?>) ((Map<?, ?>) g).get("rules")) {
                out.add((Map<?, ?>) r);
            }
        }
        return out;
    }

    /** Runs promtool, or skips the test when it is not installed. */
    static String promtool(String... args) throws Exception {
        Path tool = Path.of("/usr/bin/promtool");
        assumeTrue(Files.isExecutable(tool), "promtool is not installed (apt-get install prometheus):"
                + " the rules are not checked by Prometheus' own tool");
        List<String> cmd = new ArrayList<>(List.of(tool.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out).isZero();
        return out;
    }
}
