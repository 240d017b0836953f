package dev.flotilla.migrate.url;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link DatabaseUrl#redact} and {@link DatabaseUrl#redacted()}: no password survives, whatever it holds. */
class RedactTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        // percent-encoded / ? # @ % in the password
        "postgres://app:p%2Fw%3Fx%23y%40z%25@db:5432/t|postgres://app:xxxxx@db:5432/t",
        // the same characters raw
        "postgres://app:p/w@db:5432/t|postgres://app:xxxxx@db:5432/t",
        "postgres://app:p?w@db:5432/t?sslmode=disable|postgres://app:xxxxx@db:5432/t?sslmode=disable",
        "postgres://app:p#w@db:5432/t|postgres://app:xxxxx@db:5432/t",
        "postgres://app:p@w@db:5432/t|postgres://app:xxxxx@db:5432/t",
        "postgres://app:p%w@db:5432/t|postgres://app:xxxxx@db:5432/t",
        "mysql://root:a/b?c#d@e%f@db:3306/t|mysql://root:xxxxx@db:3306/t",
        // an empty user name, no password, no user info
        "postgres://:pw@db/t|postgres://:xxxxx@db/t",
        "postgres://app@db:5432/t|postgres://app@db:5432/t",
        "postgres://db:5432/t?sslmode=disable|postgres://db:5432/t?sslmode=disable",
        "postgres://[::1]:5432/t|postgres://[::1]:5432/t",
        // passwords in the query
        "postgres://app@db/t?password=s3cret|postgres://app@db/t?password=xxxxx",
        "postgres://db/t?sslmode=verify-full&sslpassword=k3y&search_path=a|postgres://db/t?sslmode=verify-full"
                + "&sslpassword=xxxxx&search_path=a",
        "mysql://db/t?password1=a&password2=b&trustCertificateKeyStorePassword=c|mysql://db/t?password1=xxxxx"
                + "&password2=xxxxx&trustCertificateKeyStorePassword=xxxxx",
        "mariadb://db/t?keyStorePassword=a&pwd=b|mariadb://db/t?keyStorePassword=xxxxx&pwd=xxxxx",
        "postgres://db/t?PassWord=a|postgres://db/t?PassWord=xxxxx",
        "postgres://db/t?pass%77ord=a|postgres://db/t?pass%77ord=xxxxx",
        "postgres://db/t?password=a&b#c&sslmode=disable|postgres://db/t?password=xxxxx&sslmode=disable",
        "postgres://u:pw@db/t?password=x|postgres://u:xxxxx@db/t?password=xxxxx",
        // cut short: the URL ends inside the password
        "postgres://app:s3cr|postgres://app:xxxxx",
        "postgres://app:s3cret-and-mo|postgres://app:xxxxx",
        "postgres://app@db/t?password=s3c|postgres://app@db/t?password=xxxxx",
        // not a password
        "postgres://db:5432|postgres://db:5432",
        "mysql://db:3306/t|mysql://db:3306/t",
    })
    void everyPasswordIsMasked(String url, String redacted) {
        assertThat(DatabaseUrl.redact(url)).isEqualTo(redacted);
    }

    @Test
    void everyUrlInAMessageIsRedactedAndTheRestIsKept() {
        String message = "cannot connect to postgres://app:s3cret@db:5432/t: refused; also tried"
                + " \"mysql://root:hunter2@db2/x?password=pw2\" and <mariadb://u:p%40ss@db3/y>";

        assertThat(DatabaseUrl.redact(message)).isEqualTo("cannot connect to postgres://app:xxxxx@db:5432/t: refused;"
                + " also tried \"mysql://root:xxxxx@db2/x?password=xxxxx\" and <mariadb://u:xxxxx@db3/y>");
    }

    @Test
    void aPortFollowedByTheSentencesPunctuationIsNoPassword() {
        for (String text : new String[] {"cannot reach Flotilla at http://127.0.0.1:35051: is it running?",
            "tried postgres://db:5432, then mysql://db2:3306; (see mariadb://db3:3306)"}) {
            assertThat(DatabaseUrl.redact(text)).isEqualTo(text);
        }
        assertThat(DatabaseUrl.redact("to postgres://app:1234… failed")).isEqualTo("to postgres://app:xxxxx failed");
        assertThat(DatabaseUrl.redact("to postgres://app:1234... failed")).isEqualTo("to postgres://app:xxxxx failed");
    }

    @Test
    void aMessageCutInsideAPasswordLeavesNothingOfIt() {
        String full = "deploying to postgres://app:correct-horse-battery@db:5432/t failed";
        for (int cut = "deploying to postgres://app:".length() + 1; cut < full.indexOf('@'); cut++) {
            String truncated = full.substring(0, cut) + "…";
            assertThat(DatabaseUrl.redact(truncated)).as("cut at %d", cut).doesNotContain("correct")
                    .doesNotContain("horse").doesNotContain("battery").contains("postgres://app:xxxxx");
        }
    }

    @Test
    void theUrlOfAParsedUrlIsRedactedWhateverItsPasswordHolds() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://app:p%2Fw%3Fx%23y%40z%25@db:5432/t?sslmode=disable");

        assertThat(url.password()).contains("p/w?x#y@z%");
        assertThat(url.redacted()).isEqualTo("postgres://app:xxxxx@db:5432/t?sslmode=disable");
        assertThat(url.toString()).isEqualTo(url.redacted());
    }

    @Test
    void aRefusedUrlWithARawSpecialCharacterInItsPasswordIsShownMasked() {
        for (String raw : new String[] {"postgres://app:p/w?x@db/t", "postgres://app:p#w@db/t",
            "postgres://app:p@w@db/t", "postgres://app:p w@db/t", "mysql://app:p\"w@db/t"}) {
            Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> DatabaseUrl.parse(raw));
            String message = e == null ? DatabaseUrl.parse(raw).redacted() : e.getMessage();
            assertThat(message).as(raw).doesNotContain("p/w").doesNotContain("p#w").doesNotContain("p@w")
                    .doesNotContain("p w").doesNotContain("p\"w").contains("app:xxxxx@db");
        }
    }

    @Test
    void nullAndTextWithoutUrlsPassThrough() {
        assertThat(DatabaseUrl.redact(null)).isNull();
        assertThat(DatabaseUrl.redact("no url: here@there")).isEqualTo("no url: here@there");
    }
}
