package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.sql.Dialect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Masking of {@code -- atlas:sensitive} statements and of the errors they raise. */
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

    @Test
    void mysqlDuplicateEntryKeepsItsWordsAndLosesTheValue() {
        String stmt = "INSERT INTO secrets VALUES (1, 'secret-value');";

        assertThat(Sensitive.maskError("Error 1062 (23000): Duplicate entry 'secret-value' for key 'v'", stmt,
                Dialect.MYSQL)).isEqualTo("Error 1062 (23000): Duplicate entry '(sensitive)' for key 'v'");
        assertThat(Sensitive.maskError("Duplicate entry '1-secret-value' for key 'k'", stmt, Dialect.MYSQL))
                .as("a composite key joins its parts with -").isEqualTo("Duplicate entry '1-(sensitive)' for key 'k'");
    }

    @Test
    void postgresMessagesAndDetailsLoseTheValue() {
        String stmt = "INSERT INTO secrets VALUES ('secret', E'tab\\there');";

        assertThat(Sensitive.maskError("pq: invalid input syntax for type integer: \"secret\"", stmt,
                Dialect.POSTGRES)).isEqualTo("pq: invalid input syntax for type integer: \"(sensitive)\"");
        assertThat(Sensitive.maskError("Key (v, w)=(secret, tab\there) already exists.", stmt, Dialect.POSTGRES))
                .isEqualTo("Key (v, w)=((sensitive), (sensitive)) already exists.");
    }

    @Test
    void aValueIsMaskedInAnyCaseAndEvenWhereTheServerCutItShort() {
        String secret = "correct-horse-battery-staple-0123456789";
        String stmt = "INSERT INTO t VALUES ('" + secret + "');";
        String cut = secret.substring(0, 20);

        assertThat(Sensitive.maskError("Key (lower(v))=(" + secret.toUpperCase() + ") exists", stmt,
                Dialect.POSTGRES)).isEqualTo("Key (lower(v))=((sensitive)) exists");
        assertThat(Sensitive.maskError("Duplicate entry '" + cut + "' for key 'v'", stmt, Dialect.MYSQL))
                .isEqualTo("Duplicate entry '(sensitive)' for key 'v'");
    }

    @Test
    void aShortValueIsMaskedOnlyWhereItStandsAloneSoTheMessageStaysReadable() {
        String stmt = "INSERT INTO t VALUES ('a', 'key');";

        assertThat(Sensitive.maskError("Duplicate entry 'a' for key 'PRIMARY'", stmt, Dialect.MYSQL))
                .isEqualTo("Duplicate entry '(sensitive)' for (sensitive) 'PRIMARY'");
        assertThat(Sensitive.maskError("monkey and keys", stmt, Dialect.MYSQL)).isEqualTo("monkey and keys");
    }

    @Test
    void theValueAsWrittenIsMaskedTooWhenTheServerEchoesItEscaped() {
        String stmt = "INSERT INTO t VALUES ('it''s-a-secret');";

        assertThat(Sensitive.maskError("bad value it''s-a-secret and it's-a-secret", stmt, Dialect.POSTGRES))
                .isEqualTo("bad value (sensitive) and (sensitive)");
        assertThat(Sensitive.maskError(null, stmt, Dialect.POSTGRES)).isNull();
    }
}
