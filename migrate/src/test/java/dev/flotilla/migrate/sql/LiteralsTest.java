package dev.flotilla.migrate.sql;

import dev.flotilla.migrate.sql.Literals.Literal;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** String literals as each database reads them: what is one, where it ends, what it stands for. */
class LiteralsTest {

    private static List<String> values(String sql, Dialect d) {
        return Literals.find(sql, d).stream().map(Literal::value).toList();
    }

    private static List<String> texts(String sql, Dialect d) {
        return Literals.find(sql, d).stream().map(l -> sql.substring(l.start(), l.end())).toList();
    }

    @Test
    void postgresStandardStringsDoubleTheirQuotesAndKeepBackslashes() {
        String sql = "INSERT INTO t VALUES ('it''s', 'C:\\', 'x');";

        assertThat(values(sql, Dialect.POSTGRES)).containsExactly("it's", "C:\\", "x");
        assertThat(texts(sql, Dialect.POSTGRES)).containsExactly("'it''s'", "'C:\\'", "'x'");
    }

    @Test
    void postgresEscapeStringsTakeBackslashesAndTheirPrefix() {
        String sql = "SELECT E'a\\'b', e'\\n\\x41\\101\\u00e9\\\\', sE'x';";

        assertThat(texts(sql, Dialect.POSTGRES)).containsExactly("E'a\\'b'", "e'\\n\\x41\\101\\u00e9\\\\'", "'x'");
        assertThat(values(sql, Dialect.POSTGRES)).containsExactly("a'b", "\nAAé\\", "x");
    }

    @Test
    void postgresDollarQuotesWithAndWithoutTag() {
        String sql = "SELECT $$it's $x$ inside$$, $tag$a $$ b$tag$, a$b$, $1;";

        assertThat(values(sql, Dialect.POSTGRES)).containsExactly("it's $x$ inside", "a $$ b");
    }

    @Test
    void postgresIdentifiersAndNestedCommentsHoldNoLiterals() {
        String sql = "SELECT \"it's\" /* a /* nested 'x' */ still 'y' */, 'z' -- don't\n, 'w';";

        assertThat(values(sql, Dialect.POSTGRES)).containsExactly("z", "w");
    }

    @Test
    void mysqlDoubleQuotesAreStringsAndBothTakeBackslashes() {
        String sql = "INSERT INTO `it's` VALUES (\"sec\\\"ret\", 'a\\'b''c', _utf8mb4'd', X'4142');";

        assertThat(values(sql, Dialect.MYSQL)).containsExactly("sec\"ret", "a'b'c", "d", "4142");
        assertThat(texts(sql, Dialect.MYSQL).get(0)).isEqualTo("\"sec\\\"ret\"");
    }

    @Test
    void mysqlCommentsFollowTheServersRules() {
        String sql = "SELECT 'a' # it's\n, 'b' -- it's\n, 1--'c'\n, 'd' /* it's */, 'e';";

        assertThat(values(sql, Dialect.MYSQL)).as("--'c' is no comment in MySQL").containsExactly("a", "b", "c", "d", "e");
    }

    @Test
    void mysqlExecutableCommentsHoldLiteralsTheServerRuns() {
        String sql = "ALTER USER u /*!80000 IDENTIFIED BY 'secret' */;";

        assertThat(values(sql, Dialect.MYSQL)).containsExactly("secret");
    }

    @Test
    void sqliteBackquotesAndBracketsAreIdentifiers() {
        String sql = "INSERT INTO t (`a'`, [b']) VALUES ('x''y', 'C:\\');";

        assertThat(values(sql, Dialect.SQLITE)).containsExactly("x'y", "C:\\");
    }

    @Test
    void sqliteDoubleQuotesMayBeStringsSoTheyCountAsLiterals() {
        String sql = "INSERT INTO t VALUES (\"hunter\"\"2\", \"C:\\\");";

        assertThat(values(sql, Dialect.SQLITE)).containsExactly("hunter\"2", "C:\\");
    }

    @Test
    void aLiteralLeftOpenRunsToTheEnd() {
        String sql = "SELECT 'never closed";

        assertThat(Literals.find(sql, Dialect.POSTGRES)).singleElement()
                .satisfies(l -> assertThat(l.end()).isEqualTo(sql.length()))
                .satisfies(l -> assertThat(l.value()).isEqualTo("never closed"));
    }

    @Test
    void theRawTextIsKeptBesideTheValue() {
        assertThat(Literals.find("SELECT 'it''s';", Dialect.SQLITE)).singleElement()
                .satisfies(l -> assertThat(l.raw()).isEqualTo("it''s"));
    }
}
