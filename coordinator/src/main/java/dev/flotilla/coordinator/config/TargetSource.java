package dev.flotilla.coordinator.config;

import dev.flotilla.migrate.FlotillaException;

import java.util.List;
import java.util.function.Consumer;

/**
 * The target group of an env. Resolved again at each deployment: {@code data "sql"} sources are
 * queried and {@code file()}s re-read on every call, so tenants added since the project file was
 * loaded are included.
 */
public interface TargetSource {
    /**
     * The targets, in {@code for_each} order ({@code toset} sorts them); empty when the for_each
     * list is empty. Safe to call from several threads; each call evaluates independently.
     *
     * @throws FlotillaException {@code CONFIG_INVALID} when the env has no url, a tenant name is
     *     refused or a value is of the wrong type; {@code CONNECTION_FAILED} or {@code AUTH_FAILED}
     *     when a data source's database cannot be reached. Messages never contain a password.
     */
    List<Target> resolve();

    /**
     * What a {@linkplain #stream streamed} env's targets are, taken together: the order and the
     * duplicates that the receiver (the coordinator's store) establishes, because the stream does
     * not hold the list that would tell.
     */
    enum Order {
        /** As given, and a name given twice is an error: a list, or the rows of a query. */
        LISTED,
        /** {@code toset()} of a one-column query: each name once, in name order (as {@code toset} sorts). */
        NAMES_SORTED,
        /** {@code toset()} of a query of several columns: each name once (the first row of it), as given. */
        DISTINCT
    }

    /**
     * Gives each target to {@code each} as it is made, never holding them all: a {@code for_each}
     * over {@code data.sql.<name>.values} (or {@code toset()} of it) reads the query with a cursor and
     * makes each row's target as it arrives; a static list, already in memory as the parsed file,
     * makes each target's URL when it is given. Names are checked one by one; whether one comes twice
     * is the receiver's to find (see {@link Order}).
     *
     * @return how the targets given are to be ordered and de-duplicated
     * @throws FlotillaException as {@link #resolve()}, possibly after some targets were given
     */
    default Order stream(Consumer<Target> each) {
        resolve().forEach(each);
        return Order.LISTED;
    }
}
