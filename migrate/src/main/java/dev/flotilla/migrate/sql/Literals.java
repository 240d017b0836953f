package dev.flotilla.migrate.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;

/**
 * Finds the string literals of one statement with the lexical rules its database applies, so that
 * {@code -- atlas:sensitive} masking hides every value and only values:
 *
 * <ul>
 *   <li>PostgreSQL: {@code '…'} with doubled quotes and no backslash escapes (standard strings),
 *       {@code E'…'} with backslash escapes, dollar quotes {@code $$…$$} and {@code $tag$…$tag$}
 *       (recognised as {@link Lexer} does); {@code "…"} is an identifier; block comments nest.</li>
 *   <li>MySQL and MariaDB: {@code '…'} and {@code "…"}, both with backslash escapes and doubled
 *       quotes; {@code `…`} is an identifier; {@code #} and {@code -- } start line comments;
 *       {@code /*! … *}{@code /} and {@code /*+ … *}{@code /} hold SQL the server runs, so their
 *       literals count.</li>
 *   <li>SQLite: {@code '…'} and {@code "…"} with doubled quotes: SQLite reads a {@code "…"} that
 *       names no column as a string (its double-quoted string literals, on in sqlite-jdbc), so it may
 *       hold a value; {@code `…`} and {@code […]} are identifiers.</li>
 * </ul>
 *
 * <p>This is not the statement {@link Lexer}: that one reproduces Atlas' splitting, which treats
 * {@code "…"} as a quote in every dialect and ignores the backslashes of {@code E'…'}; both are right
 * for finding where a statement ends and wrong for finding its values. The dollar-quote syntax and
 * the rule for a {@code $} that continues a name are shared with it. A literal left open runs to
 * the end of the statement, so that it is masked rather than shown.
 */
public final class Literals {

    /**
     * One string literal.
     *
     * @param start offset of its first character: the opening quote, or the {@code E} of {@code E'…'}
     * @param end offset just past its closing quote (the statement's length if it is never closed)
     * @param value what it stands for, escapes and doubled quotes resolved; never null
     * @param raw the text between its quotes (or dollar tags) as written; never null
     */
    public record Literal(int start, int end, String value, String raw) {
        /** Checks that the literal is a non-empty range and has a value. */
        public Literal {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(raw, "raw");
            if (start < 0 || end <= start) {
                throw new IllegalArgumentException("literal range [" + start + ", " + end + ") is empty");
            }
        }
    }

    private final String s;
    private final Dialect dialect;
    private final Matcher dollarQuote;
    private final List<Literal> found = new ArrayList<>();
    private int pos;

    private Literals(String statement, Dialect dialect) {
        this.s = statement;
        this.dialect = dialect;
        this.dollarQuote = Lexer.DOLLAR_QUOTE.matcher(statement);
    }

    /**
     * The string literals of {@code statement}, in order.
     *
     * @param statement one statement, as {@link StatementSplitter} yields it; not null
     * @param dialect the database it is written for; not null
     * @return the literals, possibly none; unmodifiable
     */
    public static List<Literal> find(String statement, Dialect dialect) {
        Literals l = new Literals(Objects.requireNonNull(statement, "statement"),
                Objects.requireNonNull(dialect, "dialect"));
        l.scan();
        return List.copyOf(l.found);
    }

    private void scan() {
        while (pos < s.length()) {
            if (!comment() && !literal() && !identifier()) {
                word();
            }
        }
    }

    /** Skips a comment at pos; false when none starts there. */
    private boolean comment() {
        char c = s.charAt(pos);
        if (c == '#' && dialect == Dialect.MYSQL || c == '-' && at("--") && lineComment()) {
            int nl = s.indexOf('\n', pos);
            pos = nl < 0 ? s.length() : nl + 1;
            return true;
        }
        if (!at("/*")) {
            return false;
        }
        if (dialect == Dialect.MYSQL && (at("/*!") || at("/*M!") || at("/*+"))) {
            pos += 3; // SQL the server runs: scan on through it
            return true;
        }
        pos = blockCommentEnd(pos);
        return true;
    }

    /** MySQL needs white space (or the end) after {@code --}; the others do not. */
    private boolean lineComment() {
        if (dialect != Dialect.MYSQL) {
            return true;
        }
        return pos + 2 >= s.length() || Character.isWhitespace(s.charAt(pos + 2))
                || Character.isISOControl(s.charAt(pos + 2));
    }

    /** Past the {@code *}{@code /} closing the comment at {@code from}; PostgreSQL's nest. */
    private int blockCommentEnd(int from) {
        int depth = 0;
        int i = from;
        while (i < s.length()) {
            if (s.startsWith("/*", i)) {
                depth = dialect == Dialect.POSTGRES || depth == 0 ? depth + 1 : depth;
                i += 2;
            } else if (s.startsWith("*/", i)) {
                i += 2;
                if (--depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        return s.length();
    }

    /** Reads a string literal at pos; false when none starts there. */
    private boolean literal() {
        char c = s.charAt(pos);
        if (c == '\'') {
            quoted(pos, pos, '\'', dialect == Dialect.MYSQL);
            return true;
        }
        if (c == '"' && dialect != Dialect.POSTGRES) {
            quoted(pos, pos, '"', dialect == Dialect.MYSQL);
            return true;
        }
        if ((c == 'E' || c == 'e') && dialect == Dialect.POSTGRES && next() == '\'' && !continuesWord(pos)) {
            quoted(pos, pos + 1, '\'', true);
            return true;
        }
        if (c == '$' && dialect == Dialect.POSTGRES && !continuesWord(pos)) {
            return dollarQuoted();
        }
        return false;
    }

    /** A quoted literal opening at {@code quote}; {@code start} includes a prefix such as {@code E}. */
    private void quoted(int start, int quote, char q, boolean backslashes) {
        StringBuilder value = new StringBuilder();
        int i = quote + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\' && backslashes && i + 1 < s.length()) {
                i = Escapes.append(value, s, i, dialect);
            } else if (c == q && i + 1 < s.length() && s.charAt(i + 1) == q) {
                value.append(q);
                i += 2;
            } else if (c == q) {
                add(start, i + 1, value.toString(), s.substring(quote + 1, i));
                return;
            } else {
                value.append(c);
                i++;
            }
        }
        add(start, s.length(), value.toString(), s.substring(quote + 1));
    }

    private boolean dollarQuoted() {
        dollarQuote.region(pos, s.length());
        if (!dollarQuote.lookingAt()) {
            return false;
        }
        String tag = dollarQuote.group();
        int body = pos + tag.length();
        int close = s.indexOf(tag, body);
        int end = close < 0 ? s.length() : close + tag.length();
        String text = s.substring(body, close < 0 ? s.length() : close);
        add(pos, end, text, text);
        return true;
    }

    /** Skips a quoted identifier at pos; false when none starts there. */
    private boolean identifier() {
        char c = s.charAt(pos);
        char close = c == '`' ? '`' : c == '"' ? '"' : c == '[' && dialect == Dialect.SQLITE ? ']' : 0;
        if (close == 0) {
            return false;
        }
        int i = pos + 1;
        while (i < s.length()) {
            boolean doubled = close != ']' && s.startsWith(String.valueOf(close).repeat(2), i);
            if (!doubled && s.charAt(i) == close) {
                pos = i + 1;
                return true;
            }
            i += doubled ? 2 : 1;
        }
        pos = s.length();
        return true;
    }

    /**
     * Skips a name, keyword or number whole, so that the {@code $} of {@code a$b$} and the {@code E}
     * of {@code somE'…'} are not read as openings; or skips one other character.
     */
    private void word() {
        if (!isWordChar(s.charAt(pos))) {
            pos++;
            return;
        }
        while (pos < s.length() && isWordChar(s.charAt(pos))) {
            pos++;
        }
    }

    private void add(int start, int end, String value, String raw) {
        found.add(new Literal(start, end, value, raw));
        pos = end;
    }

    private boolean at(String prefix) {
        return s.startsWith(prefix, pos);
    }

    private char next() {
        return pos + 1 < s.length() ? s.charAt(pos + 1) : 0;
    }

    /** Whether the character at {@code at} continues a name, like the {@code $} of {@code a$b$}. */
    private boolean continuesWord(int at) {
        return at > 0 && isWordChar(s.charAt(at - 1));
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c >= 0x80;
    }
}
