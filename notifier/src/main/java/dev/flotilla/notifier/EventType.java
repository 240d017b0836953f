package dev.flotilla.notifier;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** What a webhook can be told about, by the name it has on the wire ({@code X-Flotilla-Event}). */
public enum EventType {
    /** A deployment set published its first RUNNING state. */
    SET_STARTED("set.started"),
    /** A set was paused by the automatic halt (no actor) or ended HALTED. */
    SET_HALTED("set.halted"),
    /** A set ended PASSED, FAILED or CANCELLED. */
    SET_FINISHED("set.finished"),
    /** One target's migration ended FAILED. */
    TARGET_FAILED("target.failed"),
    /** Every target of an env reached a version of the directory. */
    ENV_REACHED_VERSION("env.reached_version"),
    /** The "test" action: sent to one webhook whatever its filter. */
    PING("ping");

    /** The events a webhook may subscribe to (all but {@link #PING}). */
    public static final Set<EventType> SUBSCRIBABLE = Set.of(SET_STARTED, SET_HALTED, SET_FINISHED, TARGET_FAILED,
            ENV_REACHED_VERSION);

    private final String wire;

    EventType(String wire) {
        this.wire = wire;
    }

    /** The name on the wire, e.g. {@code set.finished}. */
    public String wire() {
        return wire;
    }

    /** The subscribable event named {@code name} (any case). */
    public static Optional<EventType> subscribable(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return SUBSCRIBABLE.stream().filter(t -> t.wire.equals(n)).findFirst();
    }

    /** The subscribable names, for messages. */
    public static String names() {
        return Arrays.stream(values()).filter(SUBSCRIBABLE::contains).map(EventType::wire)
                .collect(Collectors.joining(", "));
    }

    /** By wire name, whatever it is; empty for an unknown name. */
    static Optional<EventType> byWire(String name) {
        return Arrays.stream(values()).filter(t -> t.wire.equals(name)).findFirst();
    }
}
