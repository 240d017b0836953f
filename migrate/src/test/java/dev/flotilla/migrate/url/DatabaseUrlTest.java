package dev.flotilla.migrate.url;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.sql.Dialect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Parsing: what a URL may say, what it is refused for, and the TLS it asks for. */
class DatabaseUrlTest {

    private static FlotillaException refused(String url) {
        FlotillaException e = catchThrowableOfType(FlotillaException.class, () -> DatabaseUrl.parse(url));
        assertThat(e).as("refused: %s", url).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.URL_INVALID);
        return e;
    }

    // --- point 1: names that decode to driver syntax ---

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "postgres://h/db%3Fsslmode%3Ddisable|?|db?sslmode=disable",
        "postgresql://u@h:5432/db%26x%3D1|&|db&x=1",
        "mysql://h/db%3BallowLoadLocalInfile=true|;|db;allowLoadLocalInfile=true",
        "mariadb://h/db%23frag|#|db#frag",
        "mysql://h/db;allowLoadLocalInfile=true|;|db;allowLoadLocalInfile=true",
        "sqlite://a%3Fmode%3Dmemory.db|?|a?mode=memory.db",
        "sqlite://a%26b.db|&|a&b.db",
        "sqlite://a;b.db|;|a;b.db",
        "sqlite://a#b.db|#|a#b.db",
    })
    void aNameThatDecodesToDriverSyntaxIsRefusedNamingTheCharacter(String url, String character, String decoded) {
        FlotillaException e = refused(url);

        assertThat(e.getMessage()).startsWith("invalid database URL \"" + url + "\": its ")
                .contains("decodes to \"" + decoded + "\", which holds '" + character + "'")
                .contains("may not contain ?, &, ;, # or control characters");
    }

    @Test
    void aNameWithAControlCharacterIsRefusedAndShownEscaped() {
        assertThat(refused("postgres://h/db%00x").getMessage())
                .contains("decodes to \"db\\u0000x\", which holds the control character U+0000");
        assertThat(refused("mysql://h/db%0Ax").getMessage()).contains("the control character U+000A");
    }

    @Test
    void theRefusalNamesTheUrlWithItsPasswordMasked() {
        FlotillaException e = refused("postgres://app:s3cret@h/db%3Fsslmode%3Ddisable");

        assertThat(e.getMessage()).startsWith("invalid database URL \"postgres://app:xxxxx@h/db%3Fsslmode%3Ddisable\"")
                .doesNotContain("s3cret");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite://:memory:", "sqlite://:resource:http://evil/x.db", "sqlite://file:x.db",
        "sqlite://FILE:x.db", "sqlite://%3Amemory%3A"})
    void aSqlitePathTheDriverReadsAsAnInstructionIsRefused(String url) {
        assertThat(refused(url).getMessage()).contains("which the driver reads as an instruction, not a file");
    }

    @Test
    void aMalformedPercentEscapeIsAnInvalidUrlNotACrash() {
        assertThat(refused("sqlite://db%zz.db").getMessage()).contains("malformed percent-escape");
        assertThat(refused("sqlite://f.db?mode=%zz").getMessage()).contains("malformed percent-escape");
        assertThat(refused("postgres://h/db%zz").getMessage()).contains("not a valid URL (Malformed escape pair");
        assertThat(refused("postgres://u:p%zz@h/db").getMessage()).doesNotContain("p%zz");
    }

    @Test
    void ordinaryNamesStillParse() {
        assertThat(DatabaseUrl.parse("postgres://h/my%20db").database()).isEqualTo("my db");
        assertThat(DatabaseUrl.parse("mysql://h/tenant_1$x-y").database()).isEqualTo("tenant_1$x-y");
        assertThat(DatabaseUrl.parse("sqlite:///var/lib/t/tenant_1.db").database()).isEqualTo("/var/lib/t/tenant_1.db");
        assertThat(DatabaseUrl.parse("sqlite://dir/a%20b.db").database()).isEqualTo("dir/a b.db");
    }

    // --- point 2: the parameter allowlist ---

    @ParameterizedTest
    @ValueSource(strings = {
        "postgres://h/db?search_path=tenant_1&sslmode=disable",
        "postgresql://u@h:5433/db?sslmode=verify-full&sslrootcert=/etc/ca.pem&sslcert=/c.pem&sslkey=/k.pem",
        "postgres://h/db?connect_timeout=10&application_name=flotilla&sslmode=require",
        "postgres://h/db?sslmode=verify-ca",
        "postgres://h/db?search_path=",
        "mysql://h:3306/db?tls=true&parseTime=true&charset=utf8mb4",
        "mysql://h/db?tls=skip-verify", "mysql://h/db?tls=preferred", "mysql://h/db?tls=false",
        "mysql://h/db?tls=1", "mysql://h/db?tls=Skip-Verify", "mysql://h/db?charset=utf8mb4,utf8",
        "mariadb://h/db?tls=TRUE&parseTime=1",
        "sqlite://?mode=memory", "sqlite://f.db?_fk=1", "sqlite://f.db?mode=ro&cache=shared&_foreign_keys=true",
        "sqlite://f.db?mode=rwc&cache=private&_fk=false",
    })
    void everyAcceptedParameterParses(String url) {
        assertThat(DatabaseUrl.parse(url).redacted()).isEqualTo(url);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "mysql://h/db?allowLoadLocalInfile=true|allowLoadLocalInfile|mysql|tls, parseTime, charset",
        "mariadb://h/db?allowLocalInfile=true|allowLocalInfile|mariadb|tls, parseTime, charset",
        "mysql://h/db?allowAllFiles=true|allowAllFiles|mysql|tls, parseTime, charset",
        "mysql://h/db?allowPublicKeyRetrieval=true|allowPublicKeyRetrieval|mysql|tls, parseTime, charset",
        "postgres://h/db?sslfactory=org.postgresql.ssl.NonValidatingFactory|sslfactory|postgres|search_path,"
                + " sslmode, sslrootcert, sslcert, sslkey, connect_timeout, application_name",
        "postgres://h/db?options=-c%20role%3Dadmin|options|postgres|search_path",
        "postgres://h/db?socketFactory=x|socketFactory|postgres|search_path",
        "postgresql://h/db?loggerFile=/tmp/x|loggerFile|postgresql|search_path",
        "sqlite://f.db?vfs=unix-none|vfs|sqlite|mode, cache, _fk, _foreign_keys",
        "sqlite://f.db?_journal_mode=off|_journal_mode|sqlite|mode, cache, _fk, _foreign_keys",
    })
    void aParameterOutsideTheAllowlistIsRefusedNamingItAndTheAllowedOnes(String url, String param, String scheme,
            String allowed) {
        assertThat(refused(url).getMessage()).contains("parameter \"" + param + "\" is not accepted in a " + scheme
                + " URL, because it would reach the driver as an option; the accepted ones are " + allowed);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "postgres://h/db?sslmode=prefer|sslmode=prefer is not supported; sslmode takes disable, require, verify-ca"
                + " or verify-full (like Atlas' lib/pq: use require to encrypt without verifying, or disable for no TLS)",
        "postgres://h/db?sslmode=allow|sslmode=allow is not supported",
        "postgres://h/db?sslmode=DISABLE|sslmode=DISABLE is not supported",
        "postgres://h/db?connect_timeout=soon|connect_timeout=soon is not supported; connect_timeout takes a whole"
                + " number of seconds",
        "mysql://h/db?tls=custom|tls=custom is not supported; tls takes true, false, skip-verify or preferred",
        "mysql://h/db?parseTime=yes|parseTime=yes is not supported",
        "mysql://h/db?charset=latin1|charset=latin1 is not supported; charset takes utf8mb4, utf8 or utf8mb3",
        "sqlite://f.db?mode=wal|mode=wal is not supported; mode takes memory, ro, rw or rwc",
        "sqlite://f.db?_fk=on|_fk=on is not supported; _fk takes true or false",
    })
    void anAcceptedParameterWithAValueItDoesNotTakeIsRefused(String url, String message) {
        assertThat(refused(url).getMessage()).contains(message);
    }

    @Test
    void everyProblemOfTheQueryIsReportedAtOnce() {
        assertThat(refused("mysql://h/db?tls=maybe&allowLoadLocalInfile=true").getMessage())
                .contains("tls=maybe is not supported").contains("parameter \"allowLoadLocalInfile\"");
    }

    @Test
    void aParameterGivenTwiceMustSayTheSameThing() {
        assertThat(DatabaseUrl.parse("postgres://h/db?sslmode=disable&sslmode=disable").tls())
                .isEqualTo(TlsMode.DISABLED);
        assertThat(refused("postgres://h/db?sslmode=disable&sslmode=require").getMessage())
                .contains("parameter sslmode is given twice, with different values; keep one");
    }

    @Test
    void parameterNamesAndValuesArePercentDecodedBeforeTheyAreChecked() {
        assertThat(refused("mysql://h/db?allow%4CoadLocalInfile=true").getMessage())
                .contains("parameter \"allowLoadLocalInfile\"");
        assertThat(DatabaseUrl.parse("postgres://h/db?search_path=t%241&ssl%6Dode=disable").query())
                .containsEntry("search_path", "t$1").containsEntry("sslmode", "disable");
        assertThat(DatabaseUrl.parse("postgres://h/db?application_name=a+b").query())
                .as("a + in a query is a space, as Go reads it").containsEntry("application_name", "a b");
    }

    @Test
    void aPasswordInTheQueryIsRefusedAndMaskedInTheMessage() {
        FlotillaException e = refused("postgres://u@h/db?password=s3cret&sslpassword=t0p");

        assertThat(e.getMessage()).contains("postgres://u@h/db?password=xxxxx&sslpassword=xxxxx")
                .contains("parameter \"password\"").doesNotContain("s3cret").doesNotContain("t0p");
    }

    // --- point 3: the TLS each URL asks for ---

    @ParameterizedTest
    @CsvSource({
        "postgres://h/db, REQUIRED",
        "postgres://h/db?sslmode=, REQUIRED",
        "postgres://h/db?sslmode=require, REQUIRED",
        "postgres://h/db?sslmode=require&sslrootcert=/ca.pem, VERIFY_CA",
        "postgres://h/db?sslmode=verify-ca, VERIFY_CA",
        "postgres://h/db?sslmode=verify-full, VERIFY_FULL",
        "postgres://h/db?sslmode=disable, DISABLED",
        "mysql://h/db, DISABLED",
        "mysql://h/db?tls=false, DISABLED",
        "mysql://h/db?tls=0, DISABLED",
        "mysql://h/db?tls=, DISABLED",
        "mysql://h/db?tls=true, VERIFY_FULL",
        "mariadb://h/db?tls=1, VERIFY_FULL",
        "mysql://h/db?tls=skip-verify, REQUIRED",
        "mariadb://h/db?tls=preferred, PREFERRED",
        "sqlite://f.db, DISABLED",
    })
    void tlsDefaultsAreThoseOfAtlasDrivers(String url, TlsMode expected) {
        assertThat(DatabaseUrl.parse(url).tls()).isEqualTo(expected);
    }

    @Test
    void theUrlKeepsWhatTheExecutorNeeds() {
        DatabaseUrl pg = DatabaseUrl.parse("postgres://app:p%40ss@db.internal:6432/tenants?search_path=t_1");
        assertThat(pg.dialect()).isEqualTo(Dialect.POSTGRES);
        assertThat(pg.host()).isEqualTo("db.internal");
        assertThat(pg.port()).isEqualTo(6432);
        assertThat(pg.user()).contains("app");
        assertThat(pg.password()).contains("p@ss");
        assertThat(pg.schema()).contains("t_1");
        assertThat(pg.toString()).isEqualTo("postgres://app:xxxxx@db.internal:6432/tenants?search_path=t_1");
        assertThat(DatabaseUrl.parse("sqlite://?mode=memory").inMemory()).isTrue();
        assertThat(DatabaseUrl.parse("sqlite://f.db?_fk=1").sqliteForeignKeys()).contains(true);
        assertThat(DatabaseUrl.parse("sqlite://f.db").sqliteForeignKeys()).isEmpty();
    }
}
