package dev.flotilla.migrate.sql;

/**
 * The database family a migration file is written for. It decides which lexical rules split the
 * file into statements, the same ones Atlas' driver for that family uses.
 */
public enum Dialect {
    /** SQLite: {@code BEGIN ... END} blocks (trigger bodies) stay one statement. */
    SQLITE,
    /**
     * PostgreSQL: dollar-quoted bodies ({@code $$ ... $$}, {@code $tag$ ... $tag$}),
     * {@code BEGIN ATOMIC ... END} and {@code BEGIN ... END} blocks stay one statement.
     */
    POSTGRES,
    /**
     * MySQL and MariaDB: backslash escapes in quotes, {@code #} comments, {@code BEGIN ... END}
     * blocks stay one statement.
     */
    MYSQL
}
