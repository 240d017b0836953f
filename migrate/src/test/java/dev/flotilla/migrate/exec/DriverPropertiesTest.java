package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.url.DatabaseUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** What each driver is given: a URL with nothing a user wrote but host and port, and the options as properties. */
class DriverPropertiesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(7);

    private static DriverProperties.Target target(String url) {
        return DriverProperties.of(DatabaseUrl.parse(url), TIMEOUT);
    }

    @ParameterizedTest
    @CsvSource({
        "postgres://u:pw@db.internal:6432/my%20db%2Bx?search_path=s&sslmode=disable, jdbc:postgresql://db.internal:6432/",
        "postgresql://u@10.0.0.7/t_1, jdbc:postgresql://10.0.0.7:5432/",
        "postgres://[::1]:5432/t, jdbc:postgresql://[::1]:5432/",
        "mysql://root:pw@db:3307/tenant_1?tls=true, jdbc:mysql://db:3307/",
        "mariadb://root@db/tenant_1, jdbc:mariadb://db:3306/",
        "maria://root@db/tenant_1, jdbc:mariadb://db:3306/",
        "sqlite://dir/tenant_1.db?_fk=1, jdbc:sqlite:dir/tenant_1.db",
        "sqlite://?mode=memory, jdbc:sqlite::memory:",
    })
    void theJdbcUrlHoldsOnlyTheHostAndPortOrTheCheckedPath(String url, String jdbc) {
        assertThat(target(url).jdbcUrl()).isEqualTo(jdbc);
    }

    @Test
    void postgresGetsTheDatabaseAndOptionsAsPropertiesAndReadsThemBackUnchanged() throws SQLException {
        DriverProperties.Target t = target("postgres://u:p%40ss@db/my%20db%2Bx%25y?application_name=a+b");

        Properties parsed = org.postgresql.Driver.parseURL(t.jdbcUrl(), t.properties());
        assertThat(parsed.getProperty("PGDBNAME")).isEqualTo("my db+x%y");
        assertThat(parsed.getProperty("user")).isEqualTo("u");
        assertThat(parsed.getProperty("password")).isEqualTo("p@ss");
        assertThat(parsed.getProperty("ApplicationName")).isEqualTo("a b");
        assertThat(parsed.getProperty("connectTimeout")).isEqualTo("7");
    }

    @ParameterizedTest
    @CsvSource({
        "postgres://db/t, require, ",
        "postgres://db/t?sslmode=require, require, ",
        "postgres://db/t?sslmode=disable, disable, ",
        "postgres://db/t?sslmode=verify-ca, verify-ca, org.postgresql.ssl.DefaultJavaSSLFactory",
        "postgres://db/t?sslmode=verify-full, verify-full, org.postgresql.ssl.DefaultJavaSSLFactory",
        "postgres://db/t?sslmode=verify-full&sslrootcert=/ca.pem, verify-full, ",
        "postgres://db/t?sslmode=require&sslrootcert=/ca.pem, verify-ca, ",
    })
    void postgresTlsIsLibPqs(String url, String sslmode, String factory) {
        Properties p = target(url).properties();

        assertThat(p.getProperty("sslmode")).isEqualTo(sslmode);
        assertThat(p.getProperty("sslfactory")).isEqualTo(factory);
    }

    @Test
    void postgresCertificatesAndTimeoutComeFromTheUrl() {
        Properties p = target("postgres://db/t?sslmode=verify-full&sslrootcert=/ca.pem&sslcert=/c.pem&sslkey=/k.pk8"
                + "&connect_timeout=3").properties();

        assertThat(p).containsEntry("sslrootcert", "/ca.pem").containsEntry("sslcert", "/c.pem")
                .containsEntry("sslkey", "/k.pk8").containsEntry("connectTimeout", "3");
        assertThat(target("postgres://db/t?connect_timeout=0").properties()).containsEntry("connectTimeout", "7");
    }

    @ParameterizedTest
    @CsvSource({
        "mysql://db/t, DISABLED, false",
        "mysql://db/t?tls=false, DISABLED, false",
        "mysql://db/t?tls=true, VERIFY_IDENTITY, true",
        "mysql://db/t?tls=skip-verify, REQUIRED, true",
        "mysql://db/t?tls=preferred, PREFERRED, false",
    })
    void connectorJGetsTheTlsOfGoSqlDriverAndNeverReadsLocalFiles(String url, String sslMode, String publicKey) {
        Properties p = target(url).properties();

        assertThat(p).containsEntry("sslMode", sslMode).containsEntry("allowPublicKeyRetrieval", publicKey)
                .containsEntry("allowLoadLocalInfile", "false").containsEntry("allowUrlInLocalInfile", "false")
                .containsEntry("dbname", "t").containsEntry("connectTimeout", "7000");
    }

    @ParameterizedTest
    @CsvSource({
        "mariadb://db/t, disable, false",
        "mariadb://db/t?tls=0, disable, false",
        "mariadb://db/t?tls=true, verify-full, true",
        "mariadb://db/t?tls=skip-verify, trust, true",
        "mariadb://db/t?tls=preferred, trust, false",
    })
    void mariaDbGetsTheTlsOfGoSqlDriverAndNeverReadsLocalFiles(String url, String sslMode, String publicKey) {
        Properties p = target(url).properties();

        assertThat(p).containsEntry("sslMode", sslMode).containsEntry("allowPublicKeyRetrieval", publicKey)
                .containsEntry("allowLocalInfile", "false").containsEntry("database", "t");
    }

    @Test
    void everyPropertyIsOneWeSetNoneIsCopiedFromTheUrl() {
        assertThat(target("mariadb://u:pw@db/t?tls=true&charset=utf8mb4&parseTime=true").properties())
                .containsOnlyKeys("user", "password", "database", "connectTimeout", "sslMode",
                        "allowPublicKeyRetrieval", "allowLocalInfile");
        assertThat(target("mysql://u:pw@db/t?tls=skip-verify&parseTime=1").properties())
                .containsOnlyKeys("user", "password", "dbname", "connectTimeout", "sslMode", "allowPublicKeyRetrieval",
                        "allowLoadLocalInfile", "allowUrlInLocalInfile");
        assertThat(target("postgres://u:pw@db/t?search_path=s&sslmode=verify-full&sslrootcert=/ca&sslcert=/c"
                + "&sslkey=/k&connect_timeout=3&application_name=x").properties())
                .containsOnlyKeys("user", "password", "PGDBNAME", "connectTimeout", "ApplicationName", "sslmode",
                        "sslrootcert", "sslcert", "sslkey");
    }

    @Test
    void sqliteOptionsBecomeSqliteJdbcProperties() {
        assertThat(target("sqlite://t.db?_fk=true").properties()).containsEntry("foreign_keys", "true")
                .containsEntry("busy_timeout", "7000");
        assertThat(target("sqlite://t.db?_foreign_keys=0").properties()).containsEntry("foreign_keys", "false");
        assertThat(target("sqlite://t.db?cache=shared").properties()).containsEntry("shared_cache", "true");
        assertThat(target("sqlite://t.db").properties()).doesNotContainKey("foreign_keys");
        assertThat(Integer.parseInt(target("sqlite://t.db?mode=ro").properties().getProperty("open_mode")) & 0x7)
                .as("read-only, no create").isEqualTo(0x1);
        assertThat(Integer.parseInt(target("sqlite://t.db?mode=rw").properties().getProperty("open_mode")) & 0x7)
                .as("read-write, no create").isEqualTo(0x2);
        assertThat(Integer.parseInt(target("sqlite://t.db").properties().getProperty("open_mode")) & 0x7)
                .as("read-write-create").isEqualTo(0x6);
    }
}
