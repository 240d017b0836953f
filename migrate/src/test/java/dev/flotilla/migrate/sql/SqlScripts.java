package dev.flotilla.migrate.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generated migration files whose statements are known: statements are built from pieces that
 * hide delimiters (quotes, comments, parentheses, dollar quotes, escapes) and joined with a
 * delimiter and random whitespace and comments.
 */
final class SqlScripts {

    /** How the file sets its delimiter. */
    enum Mode {
        /** The default ';'. */
        DEFAULT,
        /** A first line {@code -- atlas:delimiter <d>}; the argument is null or the delimiter. */
        DIRECTIVE,
        /** No directive; the delimiter is passed as the argument. */
        ARGUMENT,
        /** {@code ;} statements, then {@code DELIMITER <d>} statements, then {@code DELIMITER ;} ones. */
        COMMAND
    }

    /** A generated file and the statements split() must return for it. */
    record Script(Dialect dialect, Mode mode, String delimiterArgument, String content, List<Statement> expected) {
        List<String> texts() {
            return expected.stream().map(Statement::text).collect(Collectors.toList());
        }

        @Override
        public String toString() {
            return dialect + " " + mode + " (argument " + delimiterArgument + "):\n" + content;
        }
    }

    /** One statement: its text without delimiter, what precedes the delimiter, what follows it. */
    private record Entry(String bare, String beforeDelimiter, String gapAfter) {
    }

    private static final List<String> TEXT = List.of("a", "b", "c", "1", " ", ";", "'", "\"", "`", "$", "(", ")",
            "-", "/", "*", "#", "\n", "\t", "é", "€", "😀", "\\");
    private static final List<String> SPACE = List.of(" ", "\n", "\t", "  ", "\r\n");
    private static final List<String> KEYWORDS = List.of("SELECT", "INSERT INTO t_a VALUES", "UPDATE t_b SET c =",
            "DELETE FROM t_c WHERE", "CREATE TABLE t_d AS SELECT");

    private SqlScripts() {
    }

    static Arbitrary<Script> scripts() {
        return Combinators.combine(Arbitraries.of(Dialect.class), Arbitraries.of(Mode.class))
                .flatAs(SqlScripts::script);
    }

    private static Arbitrary<Script> script(Dialect d, Mode mode) {
        if (mode == Mode.DEFAULT) {
            return delimited(d, mode, ";");
        }
        List<String> delimiters = d == Dialect.POSTGRES ? List.of("//", "@@", "|") : List.of("//", "@@", "|", "$$");
        return Arbitraries.of(delimiters)
                .flatMap(delim -> mode == Mode.COMMAND ? command(d, delim) : delimited(d, mode, delim));
    }

    private static Arbitrary<Script> delimited(Dialect d, Mode mode, String delim) {
        Arbitrary<Boolean> flag = Arbitraries.of(true, false);
        return Combinators.combine(gap(d), entries(d, delim, 1), flag, flag)
                .as((leading, entries, lastWithoutDelimiter, passArgument) -> {
                    Builder b = new Builder();
                    String argument = null;
                    if (mode == Mode.DIRECTIVE) {
                        b.raw("-- atlas:delimiter " + delim + "\n");
                        argument = passArgument ? delim : null;
                    } else if (mode == Mode.ARGUMENT) {
                        argument = delim;
                    }
                    b.raw(leading);
                    for (int i = 0; i < entries.size(); i++) {
                        b.statement(entries.get(i), delim, !(lastWithoutDelimiter && i == entries.size() - 1));
                    }
                    return new Script(d, mode, argument, b.content.toString(), b.expected);
                });
    }

    private static Arbitrary<Script> command(Dialect d, String delim) {
        return Combinators.combine(gap(d), entries(d, ";", 0), entries(d, delim, 0), gap(d), entries(d, ";", 0))
                .as((leading, before, custom, gap, after) -> {
                    Builder b = new Builder();
                    b.raw(leading);
                    before.forEach(e -> b.statement(e, ";", true));
                    b.raw("DELIMITER " + delim + "\n");
                    custom.forEach(e -> b.statement(e, delim, true));
                    b.raw(gap + "DELIMITER ;\n");
                    after.forEach(e -> b.statement(e, ";", true));
                    return new Script(d, Mode.COMMAND, null, b.content.toString(), b.expected);
                });
    }

    /** Accumulates the file and the expected statements with their lines. */
    private static final class Builder {
        private final StringBuilder content = new StringBuilder();
        private final List<Statement> expected = new ArrayList<>();

        void raw(String s) {
            content.append(s);
        }

        void statement(Entry e, String delim, boolean delimited) {
            int line = 1 + (int) content.chars().filter(c -> c == '\n').count();
            content.append(e.bare()).append(e.beforeDelimiter());
            if (!delimited) {
                expected.add(new Statement(e.bare(), line));
                return;
            }
            content.append(delim).append(e.gapAfter());
            boolean kept = Delimiters.DEFAULT.equals(delim);
            expected.add(new Statement(kept ? e.bare() + e.beforeDelimiter() + delim : e.bare(), line));
        }
    }

    private static Arbitrary<List<Entry>> entries(Dialect d, String delim, int min) {
        Arbitrary<String> statement = Delimiters.DEFAULT.equals(delim)
                ? Arbitraries.oneOf(List.of(plain(d), plain(d), block(d)))
                : Arbitraries.oneOf(List.of(plain(d), plain(d), procedure(d)));
        return Combinators.combine(statement, Arbitraries.of("", " ", "\n"), gap(d)).as(Entry::new)
                .list().ofMinSize(min).ofMaxSize(5);
    }

    /** A statement that ends with an identifier; pieces inside may hide the delimiter. */
    static Arbitrary<String> plain(Dialect d) {
        Arbitrary<String> spacedPiece = Combinators.combine(space(), piece(d)).as(String::concat);
        return Combinators.combine(Arbitraries.of(KEYWORDS), spacedPiece.list().ofMaxSize(5), space(), identifier())
                .as((keyword, pieces, space, last) -> keyword + String.join("", pieces) + space + last);
    }

    /** A BEGIN ... END block, one statement with the default delimiter (also BEGIN ATOMIC for PostgreSQL). */
    private static Arbitrary<String> block(Dialect d) {
        List<String> heads = new ArrayList<>(List.of("CREATE TRIGGER t_trg AFTER INSERT ON t_x%sBEGIN%s"));
        if (d == Dialect.POSTGRES) {
            heads.add("CREATE FUNCTION f_x() RETURNS int LANGUAGE sql%sBEGIN%sATOMIC ");
        }
        return Combinators.combine(Arbitraries.of(heads), space(), space(), plain(d).list().ofMinSize(1).ofMaxSize(3))
                .as((head, s1, s2, body) -> String.format(head, s1, s2) + String.join(";" + s2, body) + ";" + s1
                        + "END");
    }

    /** A routine whose body holds ';', for custom delimiters. */
    private static Arbitrary<String> procedure(Dialect d) {
        return Combinators.combine(space(), plain(d).list().ofMinSize(1).ofMaxSize(3))
                .as((s, body) -> "CREATE PROCEDURE p_x()" + s + "BEGIN" + s + String.join("; ", body) + ";" + s
                        + "END");
    }

    private static Arbitrary<String> piece(Dialect d) {
        List<Arbitrary<String>> pieces = new ArrayList<>(List.of(identifier(), Arbitraries.of("42", "3.5"),
                quoted('\'', d), quoted('"', d), quoted('`', d), blockComment(), lineComment("--"), parens(d)));
        if (d == Dialect.POSTGRES) {
            pieces.add(dollarQuoted());
        }
        if (d == Dialect.MYSQL) {
            pieces.add(lineComment("#"));
        }
        return Arbitraries.oneOf(pieces);
    }

    private static Arbitrary<String> parens(Dialect d) {
        return Arbitraries.oneOf(List.of(identifier(), quoted('\'', d), Arbitraries.just(";"), Arbitraries.just("(1)")))
                .list().ofMinSize(1).ofMaxSize(4).map(inner -> "(" + String.join(" ", inner) + ")");
    }

    private static Arbitrary<String> identifier() {
        return Arbitraries.strings().withChars("abcxyz019_").ofMaxLength(6).map(s -> "t_" + s);
    }

    private static Arbitrary<String> space() {
        return Arbitraries.of(SPACE);
    }

    /** Whitespace and comments between statements. */
    private static Arbitrary<String> gap(Dialect d) {
        List<Arbitrary<String>> parts = new ArrayList<>(List.of(space(), space(), lineComment("--"), blockComment()));
        if (d == Dialect.MYSQL) {
            parts.add(lineComment("#"));
        }
        return Arbitraries.oneOf(parts).list().ofMaxSize(3).map(l -> String.join("", l));
    }

    /** A quoted string or identifier; the quote is doubled inside, and for MySQL backslashes escape. */
    private static Arbitrary<String> quoted(char quote, Dialect d) {
        String q = String.valueOf(quote);
        List<Arbitrary<String>> elements = new ArrayList<>(List.of(text(q, "\\"), Arbitraries.just(q + q)));
        if (d == Dialect.MYSQL) {
            elements.add(text().map(c -> "\\" + c));
        } else {
            elements.add(Arbitraries.just("\\"));
        }
        return Arbitraries.oneOf(elements).list().ofMaxSize(8).map(l -> q + String.join("", l) + q);
    }

    private static Arbitrary<String> blockComment() {
        return text().list().ofMaxSize(10).map(l -> String.join("", l)).filter(s -> !s.contains("*/"))
                .map(s -> "/*" + s + "*/");
    }

    private static Arbitrary<String> lineComment(String start) {
        return text("\n").list().ofMaxSize(10).map(l -> start + String.join("", l) + "\n");
    }

    private static Arbitrary<String> dollarQuoted() {
        return Combinators.combine(Arbitraries.of("", "fn", "b_1", "é"), text().list().ofMaxSize(10))
                .as((tag, body) -> List.of("$" + tag + "$", String.join("", body)))
                .filter(t -> (t.get(1) + t.get(0)).indexOf(t.get(0)) == t.get(1).length())
                .map(t -> t.get(0) + t.get(1) + t.get(0));
    }

    /** One element of quoted or commented text, none of {@code excluded}. */
    private static Arbitrary<String> text(String... excluded) {
        List<String> allowed = new ArrayList<>(TEXT);
        allowed.removeAll(List.of(excluded));
        return Arbitraries.of(allowed);
    }
}
