package dev.flotilla.migrate.sql;

/**
 * The switches of Atlas' {@code ScannerOptions} that its SQLite, PostgreSQL and MySQL drivers set,
 * plus one of ours.
 *
 * @param matchBegin          {@code BEGIN ... END} blocks are one statement
 * @param matchBeginAtomic    {@code BEGIN ATOMIC ... END} blocks are one statement
 * @param matchDollarQuote    PostgreSQL dollar quotes are recognized
 * @param backslashEscapes    a backslash escapes the next character inside any quote
 * @param hashComments        {@code #} starts a line comment
 * @param rejectUnterminated  ours: an unterminated block comment or dollar quote met by the top-level
 *                            scan is an error, where Atlas scans on; only for databases that would reject
 *                            the resulting statement anyway (block bodies are scanned exactly like Atlas)
 */
record LexOptions(boolean matchBegin, boolean matchBeginAtomic, boolean matchDollarQuote,
        boolean backslashEscapes, boolean hashComments, boolean rejectUnterminated) {

    /** The options of Atlas' {@code Driver.ScanStmts} for the dialect. */
    static LexOptions of(Dialect dialect) {
        return switch (dialect) {
            case SQLITE -> new LexOptions(true, false, false, false, false, false);
            case POSTGRES -> new LexOptions(true, true, true, false, false, true);
            case MYSQL -> new LexOptions(true, false, false, true, true, true);
        };
    }
}
