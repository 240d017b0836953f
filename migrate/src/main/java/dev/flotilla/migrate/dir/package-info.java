/**
 * Atlas-compatible migration directories: the {@code *.sql} files of a directory, their
 * {@code -- atlas:} directives, the {@code atlas.sum} integrity file and the registry archive.
 *
 * <p>Everything here mirrors {@code sql/migrate/dir.go} of ariga/atlas so that a directory made
 * by Atlas validates with Flotilla and the other way round: files are ordered by the byte order
 * of their names, {@code atlas.sum} is computed with one running SHA-256 over names and contents,
 * and the stale-sum diagnosis follows Atlas' {@code Validate}. Start at
 * {@link dev.flotilla.migrate.dir.MigrationDirectory}.
 */
package dev.flotilla.migrate.dir;
