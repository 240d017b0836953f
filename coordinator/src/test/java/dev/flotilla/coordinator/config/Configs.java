package dev.flotilla.coordinator.config;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Test helpers for project files given as text. */
final class Configs {
    private Configs() {
    }

    static ProjectConfig parse(String hcl) {
        return parse(hcl, Map.of());
    }

    static ProjectConfig parse(String hcl, Map<String, String> vars) {
        return ProjectConfig.parse(hcl, Path.of("."), vars);
    }

    static List<Target> targets(ProjectConfig config, String env) {
        return config.requireEnv(env).targets().resolve();
    }

    /** Runs the call, asserts it fails with CONFIG_INVALID and returns the message. */
    static String configError(ThrowingCallable call) {
        return error(ErrorCode.CONFIG_INVALID, call);
    }

    static String error(ErrorCode code, ThrowingCallable call) {
        Throwable t = catchThrowable(call);
        assertThat(t).as("expected a FlotillaException").isInstanceOf(FlotillaException.class);
        FlotillaException e = (FlotillaException) t;
        assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
        return e.getMessage();
    }
}
