package dev.flotilla.migrate.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Malformed files fail with {@link ErrorCode#SQL_PARSE_ERROR} naming the line, the problem and the fix. */
class StatementSplitterErrorsTest {

    private static AbstractThrowableAssert<?, ? extends Throwable> assertSplitFails(String sql, Dialect dialect,
            String delimiter) {
        return assertThatThrownBy(() -> StatementSplitter.split(sql, dialect, delimiter))
                .isInstanceOfSatisfying(FlotillaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.SQL_PARSE_ERROR));
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void anUnterminatedQuoteNamesTheLineAndColumnWhereItOpens(Dialect dialect) {
        assertSplitFails("SELECT 1;\n\nINSERT INTO t VALUES ('oops);\nSELECT 2;\n", dialect, null)
                .hasMessage("cannot split into statements: line 3, column 23: the quote ' opened here is never"
                        + " closed; close it (to use it inside the quoted text, write it twice)");
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void anUnterminatedDoubleQuoteOrBacktickFails(Dialect dialect) {
        assertSplitFails("SELECT \"a;\nSELECT 1;", dialect, null)
                .hasMessageContaining("line 1, column 8: the quote \"");
        assertSplitFails("SELECT 1;\nSELECT `a;", dialect, null).hasMessageContaining("line 2, column 8: the quote `");
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void unbalancedParenthesesFail(Dialect dialect) {
        assertSplitFails("SELECT 1;\nSELECT (1;\n", dialect, null)
                .hasMessageContaining("line 2, column 8: the '(' opened here is never closed; add the missing ')'");
        assertSplitFails("SELECT 1);", dialect, null)
                .hasMessageContaining("line 1, column 9: this ')' has no matching '('");
    }

    @Test
    void anUnterminatedDollarQuoteFailsForPostgres() {
        assertSplitFails("SELECT 1;\nCREATE FUNCTION f() RETURNS int AS $body$ SELECT 1;", Dialect.POSTGRES, null)
                .hasMessage("cannot split into statements: line 2, column 36: the dollar quote $body$ opened here is"
                        + " never closed; end the quoted body with $body$");
    }

    @Test
    void anUnterminatedBlockCommentFailsForPostgresAndMysql() {
        for (Dialect dialect : new Dialect[] {Dialect.POSTGRES, Dialect.MYSQL}) {
            assertSplitFails("SELECT 1;\n  /* no end; SELECT 2;", dialect, null)
                    .hasMessageContaining("line 2, column 3: the comment /* opened here is never closed;"
                            + " end it with */");
        }
    }

    @Test
    void aBackslashInAPostgresEscapeStringDoesNotEscapeTheQuoteAsInAtlas() {
        // Atlas' EscapedStringExt never takes effect: E'it\'s' ends at the second quote and the third one
        // opens a string that never ends.
        assertSplitFails("SELECT E'it\\'s';\nSELECT 1;", Dialect.POSTGRES, null)
                .hasMessageContaining("line 1, column 15: the quote '");
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aDelimiterCommandWithoutDelimiterFails(Dialect dialect) {
        assertSplitFails("SELECT 1;\nDELIMITER \nSELECT 2;", dialect, null)
                .hasMessageContaining("line 2, column 1: the DELIMITER command names no delimiter");
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aDirectiveWithoutDelimiterFails(Dialect dialect) {
        assertSplitFails("-- atlas:delimiter\nSELECT 1;", dialect, null)
                .hasMessageContaining("line 1, column 1: the '-- atlas:delimiter' directive names no delimiter");
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aDirectiveWithNothingAfterItFails(Dialect dialect) {
        assertSplitFails("-- atlas:delimiter //", dialect, null)
                .hasMessageContaining("line 1, column 1: the file has nothing after its"
                        + " '-- atlas:delimiter' directive");
    }

    @Test
    void aDelimiterArgumentThatContradictsTheDirectiveFails() {
        assertSplitFails("-- atlas:delimiter //\nSELECT 1//", Dialect.MYSQL, "$$")
                .hasMessageContaining("the delimiter \"$$\" given for the file differs from its first line"
                        + " '-- atlas:delimiter //'");
    }

    @Test
    void anEmptyDelimiterArgumentFails() {
        assertSplitFails("SELECT 1;", Dialect.SQLITE, "")
                .hasMessageContaining("the delimiter given for the file is empty");
    }
}
