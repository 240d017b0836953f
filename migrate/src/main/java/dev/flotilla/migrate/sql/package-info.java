/**
 * Splitting a migration file into statements exactly as Atlas does.
 *
 * <p>Atlas stores a running SHA-256 over the texts of the statements it applied
 * ({@code partial_hashes} of {@code atlas_schema_revisions}); to resume a file Atlas started, the
 * texts must be the same byte for byte. {@link dev.flotilla.migrate.sql.StatementSplitter} is
 * therefore a port of the {@code Scanner} in {@code sql/migrate/lex.go} of ariga/atlas (commit
 * {@code a5e0aecc2bb64143bf522734f8ad88e04885fca6}), configured per
 * {@link dev.flotilla.migrate.sql.Dialect} like Atlas' drivers configure it in
 * {@code ScanStmts}, quirks included. Start at {@link dev.flotilla.migrate.sql.StatementSplitter}.
 */
package dev.flotilla.migrate.sql;
