package dev.flotilla.notifier;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class SignaturesTest {
    @Test
    void signsAsGitHubDocumentsIt() {
        // The example of GitHub's "Validating webhook deliveries" page.
        assertThat(Signatures.sign("It's a Secret to Everybody", "Hello, World!".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
    }

    @Test
    void verifiesOnlyTheSameBytesUnderTheSameSecret() {
        byte[] body = "{\"event\":\"ping\"}".getBytes(StandardCharsets.UTF_8);
        String header = Signatures.sign("s3cret-s3cret", body);

        assertThat(Signatures.verify("s3cret-s3cret", body, header)).isTrue();
        assertThat(Signatures.verify("another-secret", body, header)).isFalse();
        assertThat(Signatures.verify("s3cret-s3cret", "{\"event\":\"pong\"}".getBytes(StandardCharsets.UTF_8),
                header)).isFalse();
        assertThat(Signatures.verify("s3cret-s3cret", body, header.substring("sha256=".length()))).isFalse();
        assertThat(Signatures.verify("s3cret-s3cret", body, null)).isFalse();
    }
}
