package dev.flotilla.coordinator.config;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Collects the errors found while loading a project file, so that one {@link ErrorCode#CONFIG_INVALID}
 * reports them all and the user can fix them in one go.
 */
final class ConfigErrors {
    private final SourceFile file;
    private final Set<String> messages = new LinkedHashSet<>();

    ConfigErrors(SourceFile file) {
        this.file = file;
    }

    void add(FlotillaException e) {
        messages.add(e.getMessage());
    }

    void add(int line, String where, String problem) {
        add(file.invalid(line, where, problem));
    }

    /** Runs a check, recording its {@link FlotillaException} instead of throwing it. */
    void check(Runnable check) {
        try {
            check.run();
        } catch (FlotillaException e) {
            add(e);
        }
    }

    /** Computes a value, recording its {@link FlotillaException}; empty when it failed. */
    <T> Optional<T> get(Supplier<T> supplier) {
        try {
            return Optional.ofNullable(supplier.get());
        } catch (FlotillaException e) {
            add(e);
            return Optional.empty();
        }
    }

    /** Throws one {@link ErrorCode#CONFIG_INVALID} error listing every problem, if there are any. */
    void throwIfAny() {
        if (messages.isEmpty()) {
            return;
        }
        if (messages.size() == 1) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, messages.iterator().next());
        }
        StringBuilder b = new StringBuilder(file.name()).append(" has ").append(messages.size()).append(" problems:");
        messages.forEach(m -> b.append("\n  - ").append(m));
        throw new FlotillaException(ErrorCode.CONFIG_INVALID, b.toString());
    }
}
