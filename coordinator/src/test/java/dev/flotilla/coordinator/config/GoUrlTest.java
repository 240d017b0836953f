package dev.flotilla.coordinator.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The URL functions give what Atlas (Go's net/url) gives; expectations from Atlas' own tests. */
class GoUrlTest {
    @ParameterizedTest(name = "urlsetpath({0}, \"{1}\")")
    @CsvSource({
        "mysql://root:pass@mysql:3306,                           '',        mysql://root:pass@mysql:3306",
        "mysql://root:pass@mysql:3306?parseTime=true,            my-tenant, mysql://root:pass@mysql:3306/my-tenant?parseTime=true",
        "mysql://root:pass@mysql:3306/admin?parseTime=true,      my-tenant, mysql://root:pass@mysql:3306/my-tenant?parseTime=true",
        "postgres://u@db:5432/app?sslmode=disable#frag,          /t$1,      postgres://u@db:5432/t$1?sslmode=disable#frag",
        "sqlite://dir,                                           a b?,      sqlite://dir/a%20b%3F",
    })
    void urlsetpathReplacesThePath(String url, String path, String want) {
        assertThat(GoUrl.parse(url).withPath(path).toString()).isEqualTo(want);
    }

    @ParameterizedTest(name = "urlqueryset({0}, {1}, \"{2}\")")
    @CsvSource({
        "postgres://postgres:pass@0.0.0.0:5432/database?sslmode=disable&sslmode=disable, search_path, schema,"
                + " postgres://postgres:pass@0.0.0.0:5432/database?search_path=schema&sslmode=disable&sslmode=disable",
        "postgres://postgres:pass@0.0.0.0:5432/database?sslmode=disable&search_path=admin&sslmode=disable, search_path, schema,"
                + " postgres://postgres:pass@0.0.0.0:5432/database?search_path=schema&sslmode=disable&sslmode=disable",
        "postgres://postgres:pass@0.0.0.0:5432/database, search_path, schema,"
                + " postgres://postgres:pass@0.0.0.0:5432/database?search_path=schema",
        "postgres://postgres:pass@0.0.0.0:5432/database?sslmode=disable&search_path=admin&sslmode=disable, search_path, '',"
                + " postgres://postgres:pass@0.0.0.0:5432/database?search_path=&sslmode=disable&sslmode=disable",
        "postgres://db/app, search_path, t$1 x&y, postgres://db/app?search_path=t%241+x%26y",
    })
    void urlquerysetSetsOneParameterAndSortsTheQuery(String url, String key, String value, String want) {
        assertThat(GoUrl.parse(url).withQueryParameter(key, value).toString()).isEqualTo(want);
    }

    @Test
    void urluserinfoSetsUserAndOptionalPassword() {
        GoUrl url = GoUrl.parse("mysql://localhost:3306");

        assertThat(url.withUserinfo("user", null).toString()).isEqualTo("mysql://user@localhost:3306");
        assertThat(url.withUserinfo("user", "pass").toString()).isEqualTo("mysql://user:pass@localhost:3306");
        assertThat(GoUrl.parse("postgres://old:pw@db/app").withUserinfo("a@b", "p/w:?").toString())
                .isEqualTo("postgres://a%40b:p%2Fw%3A%3F@db/app");
    }

    @Test
    void textWithoutSchemeIsNotAUrl() {
        assertThatThrownBy(() -> GoUrl.parse("tenant.db")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"tenant.db\" is not a URL; write it as scheme://host/…, e.g. postgres://user@host:5432/db");
    }
}
