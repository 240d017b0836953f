package dev.flotilla.migrate.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Atlas' own lexer tests ({@code sql/migrate/lex_test.go} and its {@code testdata}, copied under
 * {@code src/test/resources/sql/atlas-lex}): for every file, the statement texts must equal Atlas'
 * golden output byte for byte.
 *
 * <p>Atlas runs the {@code lex} files with the union of all options (backslash escapes, {@code #}
 * comments, dollar quotes, BEGIN ATOMIC); each file is checked here with every dialect whose
 * options give the same result. The {@code lexgroup} files use only {@code MatchBegin}, which is
 * exactly our SQLite dialect. {@code differential.tsv} holds random inputs with the answers of
 * Atlas' lexer itself, run in Go (see the README there).
 */
class StatementSplitterAtlasCorpusTest {
    private static final String END = "\n-- end --\n";
    private static final Set<Dialect> ALL = EnumSet.allOf(Dialect.class);

    static Stream<Arguments> goldenFiles() {
        return Stream.of(
                golden("lex/1.sql", ALL),
                golden("lex/2_mysql.sql", ALL),
                golden("lex/3_delimiter.sql", ALL),
                golden("lex/4_delimiter.sql", ALL),
                golden("lex/5_delimiter.sql", ALL),
                // '#' starts a comment only for MySQL.
                golden("lex/6_skip_comment.sql", EnumSet.of(Dialect.MYSQL)),
                // An unterminated $$: Atlas scans on to the end of the file, we reject it for PostgreSQL.
                golden("lex/7_delimiter_2n.sql", EnumSet.of(Dialect.MYSQL, Dialect.SQLITE)),
                golden("lex/8_delimiter_3n.sql", EnumSet.of(Dialect.MYSQL, Dialect.SQLITE)),
                golden("lex/9_delimiter_3n.sql", ALL),
                golden("lex/10_delimiter_comment.sql", ALL),
                golden("lex/11_delimiter_mysql_command.sql", ALL),
                golden("lex/12_delimiter_mysql_command.sql", ALL),
                golden("lex/13_delimiter_mysql_command.sql", EnumSet.of(Dialect.MYSQL)),
                golden("lex/14_delimiter_mysql_command.sql", ALL),
                // BEGIN ... END; matching gives the same result as BEGIN ATOMIC matching here.
                golden("lex/16_begin_atomic.sql", ALL),
                golden("lex/17_paren.sql", ALL),
                // '#>>' is an operator, not a comment, outside MySQL.
                golden("lex/18_pg_expr.sql", EnumSet.of(Dialect.POSTGRES, Dialect.SQLITE)),
                golden("lexgroup/1_trigger.sql", ALL),
                golden("lexgroup/2_function.sql", ALL),
                golden("lexgroup/3_delimiter.sql", ALL),
                golden("lexescaped/1.my.sql", EnumSet.of(Dialect.MYSQL)),
                golden("lexescaped/2.pg.sql", EnumSet.of(Dialect.POSTGRES, Dialect.SQLITE)))
                .flatMap(List::stream);
    }

    private static List<Arguments> golden(String file, Set<Dialect> dialects) {
        return dialects.stream().map(d -> Arguments.of(file, d)).collect(Collectors.toList());
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("goldenFiles")
    void statementTextsEqualAtlasGoldenFile(String file, Dialect dialect) {
        List<Statement> statements = StatementSplitter.split(resource(file), dialect, null);

        assertThat(joined(statements)).isEqualTo(resource(file + ".golden"));
    }

    @Test
    void dollarQuotesMatchAtlasWhereHashIsNotAComment() {
        // Atlas runs this file with '#' comments on; for PostgreSQL the "# Shorter examples." line is
        // the start of the next statement, as in Atlas' PostgreSQL driver.
        String golden = resource("lex/15_dollar_quote.sql.golden");
        String first = "SELECT * FROM table WHERE name = $$John Doe$$;";

        List<Statement> statements =
                StatementSplitter.split(resource("lex/15_dollar_quote.sql"), Dialect.POSTGRES, null);

        assertThat(joined(statements)).isEqualTo(golden.replace(first, "# Shorter examples.\n" + first));
    }

    @Test
    void backslashEscapesOfMysqlFailOnPostgresStringsAtAtlasPosition() {
        // TestScanner_EscapedStrings: "4:40: unclosed quote" and "4:42: unclosed quote".
        assertParseError(resource("lexescaped/2.pg.sql"), Dialect.MYSQL, "line 4, column 40");
        assertParseError(resource("lexescaped/1.my.sql"), Dialect.POSTGRES, "line 4, column 42");
    }

    @Test
    void commentsBeforeAStatementAreNotPartOfItAndLinesPointAtTheText() {
        // TestLocalFile_StmtDecls, run with '#' comments (MySQL).
        String f = String.join("\n", "cmd0;", "-- test", "cmd1;", "", "-- hello", "-- world", "cmd2;", "",
                "-- skip", "-- this", "# comment", "", "/* Skip this as well */", "", "# Skip this", "/* one */", "",
                "# command", "cmd3;", "", "/* comment1 */", "/* comment2 */", "cmd4;", "", "--atlas:nolint",
                "-- atlas:nolint destructive", "cmd5;", "", "#atlas:lint error", "/*atlas:nolint DS101*/",
                "/* atlas:lint not a directive */", "/*", "atlas:lint not a directive", "*/", "cmd6;", "",
                "-- atlas:nolint", "cmd7;", "");

        List<Statement> statements = StatementSplitter.split(f, Dialect.MYSQL, null);

        List<Statement> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String text = "cmd" + i + ";";
            expected.add(new Statement(text, lineOf(f, f.indexOf(text))));
        }
        assertThat(statements).containsExactlyElementsOf(expected);
        assertThat(statements).extracting(Statement::line).containsExactly(1, 3, 7, 19, 23, 27, 35, 38);
    }

    static Stream<Arguments> atlasLexErrors() {
        return Stream.of(
                Arguments.of("'this quote is unclosed at 1:1", 1, 1),
                Arguments.of("12345'this quote is unclosed at pos 7", 1, 6),
                Arguments.of("unclosed '", 1, 10),
                Arguments.of("\"unclosed double", 1, 1),
                Arguments.of("unclosed double at 2:2\n \"", 2, 2),
                Arguments.of("unclosed double at 2:2\n\n\n\n1234\"", 5, 5),
                Arguments.of("(unclosed parentheses", 1, 1),
                Arguments.of("()(unclosed parentheses", 1, 3),
                Arguments.of("1234)6789", 1, 5));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("atlasLexErrors")
    void lexErrorsNameTheLineAndColumnAtlasReports(String sql, int line, int column) {
        for (Dialect dialect : Dialect.values()) {
            assertParseError(sql, dialect, "line " + line + ", column " + column + ":");
        }
    }

    static Stream<Arguments> differentialCases() {
        return resource("differential.tsv").lines().map(line -> line.split("\t", 3))
                .map(f -> Arguments.of(Dialect.valueOf(f[0]),
                        new String(Base64.getDecoder().decode(f[1]), StandardCharsets.UTF_8), f[2]));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("differentialCases")
    void agreesWithAtlasOnRandomTrickyInput(Dialect dialect, String input, String atlas) {
        if (atlas.startsWith("E ")) {
            String[] at = atlas.substring(2).split(":");
            boolean ascii = input.chars().allMatch(c -> c < 0x80);
            assertParseError(input, dialect, "line " + at[0] + (ascii ? ", column " + at[1] + ":" : ","));
            return;
        }
        List<String> expected = Arrays.stream(atlas.split(" ", -1)).skip(1)
                .map(b -> new String(Base64.getDecoder().decode(b), StandardCharsets.UTF_8))
                .collect(Collectors.toList());

        assertThat(StatementSplitter.split(input, dialect, null)).extracting(Statement::text)
                .containsExactlyElementsOf(expected);
    }

    private static void assertParseError(String sql, Dialect dialect, String position) {
        assertThatThrownBy(() -> StatementSplitter.split(sql, dialect, null))
                .isInstanceOfSatisfying(FlotillaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.SQL_PARSE_ERROR))
                .hasMessageContaining(position);
    }

    private static int lineOf(String text, int offset) {
        return 1 + (int) text.substring(0, offset).chars().filter(c -> c == '\n').count();
    }

    private static String joined(List<Statement> statements) {
        return statements.stream().map(Statement::text).collect(Collectors.joining(END));
    }

    static String resource(String name) {
        try (InputStream in = StatementSplitterAtlasCorpusTest.class.getResourceAsStream("/sql/atlas-lex/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /sql/atlas-lex/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
