package dev.flotilla.migrate.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/** Properties over generated files (see {@link SqlScripts}) and over arbitrary input. */
class StatementSplitterPropertiesTest {

    @Provide
    Arbitrary<SqlScripts.Script> scripts() {
        return SqlScripts.scripts();
    }

    @Property(tries = 2000)
    void splitReturnsExactlyTheGeneratedStatements(@ForAll("scripts") SqlScripts.Script script) {
        Statistics.collect(script.dialect(), script.mode());

        List<Statement> statements = StatementSplitter.split(script.content(), script.dialect(),
                script.delimiterArgument());

        assertThat(statements).containsExactlyElementsOf(script.expected());
    }

    @Property(tries = 1000)
    void splittingTheRejoinedStatementsGivesThemBack(@ForAll("scripts") SqlScripts.Script script) {
        List<String> texts = texts(StatementSplitter.split(script.content(), script.dialect(),
                script.delimiterArgument()));

        String rejoined = script.mode() == SqlScripts.Mode.DEFAULT
                ? String.join("\n", texts)
                : "-- atlas:delimiter //\n" + String.join("\n//\n", texts);

        assertThat(texts(StatementSplitter.split(rejoined, script.dialect(), null))).isEqualTo(texts);
    }

    @Provide
    Arbitrary<String> noise() {
        return Arbitraries.of("'", "\"", "`", ";", "(", ")", "$$", "$a$", "$1", "--", "/*", "*/", "#", "\n", " ", "\\",
                "BEGIN ", "BEGIN ATOMIC ", "END;", "END", "begin\n", "DELIMITER //\n", "DELIMITER ;\n", "delimiter '\n",
                "//", "-- atlas:delimiter //\n", "x", "é", "😀", "\u00a0")
                .list().ofMaxSize(40).map(l -> String.join("", l));
    }

    @Property(tries = 3000)
    void anyInputSplitsIntoTrimmedPartsOfItOrFailsWithAParseError(@ForAll("noise") String sql,
            @ForAll Dialect dialect) {
        List<Statement> statements;
        try {
            statements = StatementSplitter.split(sql, dialect, null);
        } catch (FlotillaException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.SQL_PARSE_ERROR);
            assertThat(e.getMessage()).containsPattern("line \\d+, column \\d+: ");
            return;
        }
        long lines = 1 + sql.chars().filter(c -> c == '\n').count();
        assertThat(statements).allSatisfy(s -> {
            assertThat(sql).contains(s.text());
            assertThat(GoText.trimSpace(s.text())).isEqualTo(s.text());
            assertThat((long) s.line()).isBetween(1L, lines);
        });
    }

    private static List<String> texts(List<Statement> statements) {
        return statements.stream().map(Statement::text).toList();
    }
}
