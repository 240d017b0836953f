package dev.flotilla.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code flotilla webhook …} against a canned server. */
class WebhookCommandsTest {
    private static final String HOOK = "{\"id\":3,\"directory\":\"app\",\"name\":\"chat\","
            + "\"url\":\"https://hooks.slack.com/…\",\"format\":\"slack\",\"events\":[\"set.finished\",\"set.halted\"],"
            + "\"secret\":\"…wxyz\",\"signed\":true,\"createdAt\":\"2026-12-06T10:00:00Z\",\"createdBy\":\"ci\"}";
    private static final String DELIVERY = "{\"id\":\"0b6a3c52-8f0e-4c1e-9a53-2d7b1c9e0f11\",\"webhook\":3,"
            + "\"event\":\"ping\",\"eventId\":\"ping-1\",\"state\":\"RETRYING\",\"attempts\":2,\"statusCode\":500,"
            + "\"latencyMs\":12,\"response\":\"oops\",\"error\":null,\"nextAttemptAt\":\"2026-12-06T10:00:04Z\","
            + "\"createdAt\":\"2026-12-06T10:00:00Z\",\"deliveredAt\":null,\"attemptLog\":[{\"attempt\":1,"
            + "\"at\":\"2026-12-06T10:00:00Z\",\"statusCode\":null,\"latencyMs\":1,\"error\":\"Connection refused\"},"
            + "{\"attempt\":2,\"at\":\"2026-12-06T10:00:02Z\",\"statusCode\":500,\"latencyMs\":12,\"error\":null}]}";

    @RegisterExtension
    final FakeFlotilla server = new FakeFlotilla();

    @Test
    void createSendsWhatWasGivenAndShowsTheUrlAndSecretOnlyInPart() {
        server.json("POST", "/api/v1/dirs/app/webhooks", 201, HOOK);

        CliRun r = CliRun.of("webhook", "create", "--dir", "app", "--name", "chat", "--url",
                "https://hooks.slack.com/services/T0/B0/abc", "--format", "slack", "--events",
                "set.finished,set.halted", "--secret", "0123456789abwxyz", "--server", server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("Webhook 3 (chat) of directory app sends set.finished,set.halted to"
                + " https://hooks.slack.com/… as slack, signed with secret …wxyz\n");
        assertThat(server.requests().get(0).bodyText()).isEqualTo("{\"name\":\"chat\",\"url\":"
                + "\"https://hooks.slack.com/services/T0/B0/abc\",\"format\":\"slack\",\"events\":[\"set.finished\","
                + "\"set.halted\"],\"secret\":\"0123456789abwxyz\"}");
    }

    @Test
    void listShowsEachWebhook() {
        server.json("GET", "/api/v1/dirs/app/webhooks", 200, "{\"items\":[" + HOOK + "]}");

        CliRun r = CliRun.of("webhook", "list", "--dir", "app", "--url", server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(""
                + "ID  NAME  URL                        FORMAT  EVENTS                   SECRET  CREATED               BY\n"
                + "3   chat  https://hooks.slack.com/…  slack   set.finished,set.halted  …wxyz   2026-12-06T10:00:00Z  ci\n");
    }

    @Test
    void testSaysHowThePingWentAndFailsUnlessItWasDelivered() {
        server.json("POST", "/api/v1/dirs/app/webhooks/3/test", 200, DELIVERY);

        CliRun r = CliRun.of("webhook", "test", "--dir", "app", "3", "--url", server.url());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("Ping 0b6a3c52-8f0e-4c1e-9a53-2d7b1c9e0f11: RETRYING, HTTP 500 in 12 ms\n");
    }

    @Test
    void deliveriesListTheHistoryWithAttemptsCodesAndLatency() {
        server.json("GET", "/api/v1/dirs/app/webhooks/3/deliveries", 200, "{\"items\":[" + DELIVERY + "],"
                + "\"page\":{\"page\":1,\"pageSize\":20,\"total\":1}}");

        CliRun r = CliRun.of("webhook", "deliveries", "--dir", "app", "3", "--url", server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith(""
                + "DELIVERY                              EVENT  STATE     ATTEMPTS  CODE  LATENCY  CREATED               RESPONSE\n"
                + "0b6a3c52-8f0e-4c1e-9a53-2d7b1c9e0f11  ping   RETRYING  2         500   12 ms    2026-12-06T10:00:00Z  oops\n");
        assertThat(r.out()).contains("Page: 1 Page Size: 20 Total: 1");
        assertThat(server.requests().get(0).query()).isEqualTo("page=1&pageSize=20");
    }

    @Test
    void deleteNamesTheWebhookItDeleted() {
        server.json("DELETE", "/api/v1/dirs/app/webhooks/3", 200, HOOK);

        CliRun r = CliRun.of("webhook", "delete", "--dir", "app", "3", "--url", server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("Webhook 3 (chat) deleted\n");
    }
}
