package dev.flotilla.notifier;

import dev.flotilla.migrate.FlotillaException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Backoff, which answers are retried, which URLs are taken, and what of an answer is kept. */
class DeliveryRulesTest {
    @Test
    void backoffDoublesFromOneSecondToFiveMinutes() {
        NotifierSettings s = NotifierSettings.fromEnv(Map.of());

        assertThat(List.of(s.backoff(1), s.backoff(2), s.backoff(3), s.backoff(9), s.backoff(10), s.backoff(50)))
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                        Duration.ofSeconds(256), Duration.ofMinutes(5), Duration.ofMinutes(5));
        assertThat(s.maxAttempts()).isEqualTo(12);
        assertThat(NotifierSettings.fromEnv(Map.of(NotifierSettings.MAX_ATTEMPTS_ENV, "3")).maxAttempts()).isEqualTo(3);
        assertThatThrownBy(() -> NotifierSettings.fromEnv(Map.of(NotifierSettings.MAX_ATTEMPTS_ENV, "0")))
                .hasMessageContaining("from 1 to 100");
    }

    @Test
    void serverErrorsTimeoutsAndThrottlingAreRetriedOtherRefusalsAreNot() {
        assertThat(new Outcome(200, 1, null, null).delivered()).isTrue();
        assertThat(new Outcome(204, 1, null, null).delivered()).isTrue();
        assertThat(new Outcome(500, 1, null, null).permanent()).isFalse();
        assertThat(new Outcome(0, 1, null, "Connection refused").permanent()).isFalse();
        assertThat(new Outcome(429, 1, null, null).permanent()).isFalse();
        assertThat(new Outcome(408, 1, null, null).permanent()).isFalse();
        assertThat(new Outcome(404, 1, null, null).permanent()).isTrue();
        assertThat(new Outcome(301, 1, null, null).permanent()).as("redirects are not followed").isTrue();
        assertThat(Outcome.refused("host not allowed").permanent()).isTrue();
    }

    @Test
    void onlyHttpUrlsWithAHostAndWithoutCredentialsAreTaken() {
        HostPolicy any = HostPolicy.any();

        assertThat(any.check("https://hooks.slack.com/services/T/B/X").getHost()).isEqualTo("hooks.slack.com");
        assertThat(any.check("http://127.0.0.1:9000/hook").getPort()).isEqualTo(9000);
        assertThatThrownBy(() -> any.check("ftp://example.com/x")).isInstanceOf(FlotillaException.class)
                .hasMessageContaining("field \"url\"").hasMessageContaining("http or https");
        assertThatThrownBy(() -> any.check("file:///etc/passwd")).hasMessageContaining("http or https");
        assertThatThrownBy(() -> any.check("/relative")).hasMessageContaining("http or https");
        assertThatThrownBy(() -> any.check("https://user:pw@example.com/")).hasMessageContaining("user info")
                .hasMessageNotContaining("pw");
        assertThatThrownBy(() -> any.check("https:///nohost")).hasMessageContaining("no host");
    }

    @Test
    void anOperatorCanAllowAndDenyHosts() {
        HostPolicy p = new HostPolicy(List.of("hooks.slack.com", "*.example.com"), List.of("bad.example.com"));

        assertThat(p.check("https://hooks.slack.com/x").getHost()).isEqualTo("hooks.slack.com");
        assertThat(p.check("https://ci.example.com/x").getHost()).isEqualTo("ci.example.com");
        assertThatThrownBy(() -> p.check("https://bad.example.com/x")).hasMessageContaining("bad.example.com");
        assertThatThrownBy(() -> p.check("http://169.254.169.254/latest/meta-data"))
                .hasMessageContaining("169.254.169.254").hasMessageContaining(NotifierSettings.ALLOW_HOSTS_ENV);
    }

    @Test
    void aUrlIsShownAsSchemeAndHostOnly() {
        assertThat(HostPolicy.redact("https://hooks.slack.com/services/T/B/X")).isEqualTo("https://hooks.slack.com/…");
        assertThat(HostPolicy.redact("http://127.0.0.1:9000/")).isEqualTo("http://127.0.0.1:9000");
        assertThat(HostPolicy.redact("http://h:1?token=abc")).isEqualTo("http://h:1/…");
    }

    @Test
    void anAnswerIsKeptPrintableShortAndWithoutTheSecretOrTheUrlsPath() {
        Webhook w = new Webhook(1, "app", "x", "http://127.0.0.1:9/hook/pathsecret?k=v", WebhookFormat.JSON,
                Set.of(), "the-signing-secret", Instant.EPOCH, "ci");

        String kept = Sender.sanitize("echo: the-signing-secret at /hook/pathsecret?k=v\u0000\u001b[31m"
                + "x".repeat(2000), w);

        assertThat(kept).doesNotContain("the-signing-secret", "pathsecret", "\u0000", "\u001b");
        assertThat(kept).startsWith("echo: … at /…");
        assertThat(kept.length()).isLessThanOrEqualTo(Sender.EXCERPT_BYTES);
    }
}
