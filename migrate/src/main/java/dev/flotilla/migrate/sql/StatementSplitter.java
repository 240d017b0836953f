package dev.flotilla.migrate.sql;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Splits a migration file into statements with the rules of Atlas' lexer, so that the statement
 * texts, and therefore the {@code partial_hashes} Atlas stores for a partially applied file, are
 * the same as Atlas'.
 *
 * <p>The rules, for every dialect unless noted:
 * <ul>
 *   <li>A statement ends at the delimiter outside quotes, comments and parentheses, or at the end
 *       of the file. The default {@code ;} stays at the end of the text; a custom delimiter is
 *       removed. The text is trimmed.</li>
 *   <li>Comments ({@code --}, {@code /* *\/}, and {@code #} for MySQL) before a statement are not
 *       part of it; comments inside it are. A comment that is not closed is not a comment for Atlas
 *       but statement text: a {@code --} or {@code #} comment on the last line without a line
 *       break becomes a statement of its own. An unclosed {@code /*} is statement text for SQLite
 *       and an error for PostgreSQL and MySQL, which would reject it.</li>
 *   <li>{@code '...'}, {@code "..."} and {@code `...`} are quotes in every dialect; a doubled quote
 *       closes and reopens. For MySQL a backslash escapes the next character; for the others it is
 *       an ordinary character, also in PostgreSQL {@code E'...'} strings (as in Atlas).</li>
 *   <li>A first line {@code -- atlas:delimiter <d>} sets the delimiter for the file and is not
 *       SQL; a statement starting with {@code DELIMITER <d>} (the MySQL client command, honoured
 *       for every dialect) sets it from there on. {@code \n}, {@code \r}, {@code \t} in both are
 *       unescaped.</li>
 *   <li>With the default delimiter, {@code BEGIN ... END} blocks (trigger and routine bodies) are
 *       one statement, and for PostgreSQL {@code BEGIN ATOMIC ... END} blocks and dollar-quoted
 *       bodies too. Block comments do not nest.</li>
 * </ul>
 */
public final class StatementSplitter {

    private StatementSplitter() {
    }

    /**
     * Splits a migration file's content into statements.
     *
     * @param content   the whole file, including its directive lines; not null
     * @param dialect   the database family the file is written for; not null
     * @param delimiter the value of the file's {@code -- atlas:delimiter} directive, raw or already
     *                  unescaped, or null for the default {@code ;}. When the file's first line is
     *                  that directive, the directive decides (as in Atlas) and this value must agree
     *                  with it; otherwise this value, taken as is, is the delimiter.
     * @return the statements in file order; possibly empty, never null, unmodifiable
     * @throws FlotillaException with {@link ErrorCode#SQL_PARSE_ERROR} naming the line and column of
     *                           an unterminated quote, parenthesis, block comment or dollar quote
     *                           (the last two not for SQLite, which accepts an unterminated comment),
     *                           an unmatched ')', an empty delimiter, or a delimiter that disagrees
     *                           with the file's directive
     */
    public static List<Statement> split(String content, Dialect dialect, String delimiter) {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(dialect, "dialect");
        LineIndex lines = new LineIndex(content);
        try {
            return scan(content, LexOptions.of(dialect), delimiter, lines);
        } catch (LexError e) {
            throw new FlotillaException(ErrorCode.SQL_PARSE_ERROR, String.format(
                    "cannot split into statements: line %d, column %d: %s; %s", lines.line(e.offset()),
                    lines.column(e.offset()), e.problem(), e.fix()));
        }
    }

    private static List<Statement> scan(String content, LexOptions options, String delimiter, LineIndex lines) {
        Lexer lexer = new Lexer(content, options);
        lexer.init();
        useDelimiter(lexer, delimiter);
        List<Statement> statements = new ArrayList<>();
        for (Lexer.Token t = lexer.stmt(); t != null; t = lexer.stmt()) {
            statements.add(new Statement(t.text(), lines.line(t.offset())));
        }
        return List.copyOf(statements);
    }

    private static void useDelimiter(Lexer lexer, String delimiter) {
        String inFile = lexer.directive();
        if (delimiter == null) {
            return;
        }
        if (inFile == null) {
            lexer.useDelimiter(delimiter);
        } else if (!delimiter.equals(inFile) && !delimiter.equals(Delimiters.unescape(inFile))) {
            throw new LexError(0, "the delimiter \"" + delimiter + "\" given for the file differs from its"
                    + " first line '-- atlas:delimiter " + inFile + "'",
                    "pass the directive's value, or null to let the directive decide");
        }
    }
}
