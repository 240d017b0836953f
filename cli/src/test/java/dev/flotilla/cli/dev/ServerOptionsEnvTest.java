package dev.flotilla.cli.dev;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every setting of the services is a flag and an environment variable, one to one, and the
 * README's settings table lists each pair: containers and Kubernetes configure by environment,
 * people by flags, and neither finds a setting the other lacks.
 */
class ServerOptionsEnvTest {
    private static final Pattern ENV = Pattern.compile("^\\$\\{env:([A-Z0-9_]+)(:-.*)?}$");
    private static final Pattern ROW = Pattern.compile("^\\| `(--[a-z-]+)` \\| `([A-Z0-9_]+)` \\|", Pattern.MULTILINE);

    @Test
    void everyServiceFlagHasAnEnvironmentVariableAndAReadmeRow() throws Exception {
        CommandSpec spec = CommandSpec.forAnnotatedObject(new Holder());
        String readme = Files.readString(Path.of("..", "README.md"));
        List<String> documented = new ArrayList<>();
        Matcher m = ROW.matcher(readme);
        while (m.find()) {
            documented.add(m.group(1) + "=" + m.group(2));
        }
        List<String> flags = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (o.usageHelp() || o.versionHelp()) {
                continue;
            }
            // the annotation's own text: picocli hands out the default already resolved
            String declared = ((java.lang.reflect.Field) o.userObject()).getAnnotation(CommandLine.Option.class)
                    .defaultValue();
            Matcher env = ENV.matcher(declared);
            assertThat(env.matches()).as(o.longestName() + " has no ${env:FLOTILLA_…} default: " + declared)
                    .isTrue();
            assertThat(env.group(1)).startsWith("FLOTILLA_");
            assertThat(o.description()[0]).as(o.longestName() + " names its variable in --help")
                    .contains("env " + env.group(1));
            flags.add(o.longestName() + "=" + env.group(1));
        }
        assertThat(documented).as("README's flag | variable table").containsExactlyInAnyOrderElementsOf(flags);
    }

    @Test
    void varsSplitOnlyWhereANewNameStartsAndLogFormatIgnoresCase() {
        Holder h = new Holder();
        new CommandLine(h).parseArgs("--port", "9090", "--var", "a=1,b=x,y");
        ServerOptions o = h.options;
        assertThat(o.port).isEqualTo(9090);
        assertThat(o.vars).containsEntry("a", "1").containsEntry("b", "x,y");
        assertThat(LogFormat.of("JSON")).isEqualTo(LogFormat.JSON);
    }

    @CommandLine.Command(name = "holder")
    static final class Holder {
        @CommandLine.Mixin
        ServerOptions options;
    }
}
