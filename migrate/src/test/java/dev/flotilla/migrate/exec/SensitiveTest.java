package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.sql.Dialect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Masking of {@code -- atlas:sensitive} statements. */
class SensitiveTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '^', value = {
        // every kind of literal, as Atlas masks it
        "POSTGRES|ALTER ROLE app PASSWORD 'hunter2';|ALTER ROLE app PASSWORD '(sensitive)';",
        "POSTGRES|INSERT INTO t VALUES ('it''s secret');|INSERT INTO t VALUES ('(sensitive)');",
        "POSTGRES|INSERT INTO t VALUES (E'it\\'s secret');|INSERT INTO t VALUES ('(sensitive)');",
        "POSTGRES|SELECT $$secret$$, $k$secret$k$;|SELECT '(sensitive)', '(sensitive)';",
        "MYSQL|INSERT INTO t VALUES (\"secret\", 'secret');|INSERT INTO t VALUES ('(sensitive)', '(sensitive)');",
        "MYSQL|INSERT INTO t VALUES ('it\\'s secret');|INSERT INTO t VALUES ('(sensitive)');",
        "SQLITE|INSERT INTO `t` VALUES ('a''b', \"c\");|INSERT INTO `t` VALUES ('(sensitive)', '(sensitive)');",
        // where the regular expression masking of before let a value through
        "POSTGRES|INSERT INTO t VALUES ('C:\\', 'secret');|INSERT INTO t VALUES ('(sensitive)', '(sensitive)');",
        "POSTGRES|INSERT INTO \"it's\" VALUES ('secret');|INSERT INTO \"it's\" VALUES ('(sensitive)');",
        "MYSQL|INSERT INTO t VALUES (\"secret\");|INSERT INTO t VALUES ('(sensitive)');",
        // identifiers and names stay
        "POSTGRES|CREATE TABLE \"secret\" (a$b$ int);|CREATE TABLE \"secret\" (a$b$ int);",
        "MYSQL|CREATE TABLE `secret` (c int);|CREATE TABLE `secret` (c int);",
    })
    void everyLiteralIsMaskedWithTheDialectsRules(Dialect dialect, String statement, String masked) {
        assertThat(Sensitive.mask(statement, dialect)).isEqualTo(masked);
    }

    @Test
    void aQuoteInACommentNoLongerShiftsWhatCountsAsALiteral() {
        assertThat(Sensitive.mask("INSERT INTO t VALUES ('a') -- it's\n, ('secret');", Dialect.POSTGRES))
                .isEqualTo("INSERT INTO t VALUES ('(sensitive)') -- it's\n, ('(sensitive)');");
    }
}
