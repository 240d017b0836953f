package dev.flotilla.migrate.sql;

/**
 * A lexical error at a char offset of the file. Internal: inside a {@code BEGIN} block it only
 * means "not a block" (as in Atlas) and is cheap for that reason; {@link StatementSplitter} turns
 * the ones that escape into a {@link dev.flotilla.migrate.FlotillaException}.
 */
final class LexError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int offset;
    private final String fix;

    /**
     * @param offset  the char offset in the file of what is wrong
     * @param problem what is wrong there
     * @param fix     how to fix it
     */
    LexError(int offset, String problem, String fix) {
        super(problem, null, false, false);
        this.offset = offset;
        this.fix = fix;
    }

    int offset() {
        return offset;
    }

    String problem() {
        return getMessage();
    }

    String fix() {
        return fix;
    }
}
