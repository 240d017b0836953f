package dev.flotilla.backup;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code s3://} backup URLs as Atlas' guide writes them, and the AWS environment variables. */
class S3UrlTest {
    @Test
    void theGuidesUrlHasABucketAPrefixAndARegion() {
        S3Url u = S3Url.parse("s3://my-bucket/atlas-backup?region=us-east-1", Map.of());

        assertThat(u).isEqualTo(new S3Url("my-bucket", "atlas-backup/", "us-east-1", null, false));
        assertThat(u.location("app/tags/v1")).isEqualTo("s3://my-bucket/atlas-backup/app/tags/v1");
        assertThat(S3Url.parse("s3://b?region=eu-west-1", Map.of()).prefix()).isEmpty();
        assertThat(S3Url.parse("s3://b/a/b/?region=eu-west-1", Map.of()).prefix()).isEqualTo("a/b/");
    }

    @Test
    void anEndpointFromTheUrlOrTheEnvironmentMeansPathStyleAndADefaultRegion() {
        S3Url param = S3Url.parse("s3://b/p?endpoint=http%3A%2F%2F127.0.0.1%3A9000", Map.of());
        S3Url env = S3Url.parse("s3://b/p", Map.of("AWS_ENDPOINT_URL", "http://minio:9000", "AWS_REGION", "eu-1"));
        S3Url specific = S3Url.parse("s3://b/p", Map.of("AWS_ENDPOINT_URL", "http://a", "AWS_ENDPOINT_URL_S3",
                "http://b"));

        assertThat(param).isEqualTo(new S3Url("b", "p/", "us-east-1", URI.create("http://127.0.0.1:9000"), true));
        assertThat(env).isEqualTo(new S3Url("b", "p/", "eu-1", URI.create("http://minio:9000"), true));
        assertThat(specific.endpoint()).isEqualTo(URI.create("http://b"));
        assertThat(S3Url.parse("s3://b/p?endpoint=http://e&use_path_style=false", Map.of()).pathStyle()).isFalse();
    }

    @Test
    void theRegionComesFromTheUrlElseTheEnvironment() {
        assertThat(S3Url.parse("s3://b", Map.of("AWS_DEFAULT_REGION", "ap-1")).region()).isEqualTo("ap-1");
        assertThat(S3Url.parse("s3://b?region=us-west-2", Map.of("AWS_REGION", "ap-1")).region()).isEqualTo("us-west-2");
        assertThatThrownBy(() -> S3Url.parse("s3://b/p", Map.of())).hasMessage("backup URL s3://b/p names no region;"
                + " add ?region=us-east-1 (the bucket's region) or set AWS_REGION");
    }

    @Test
    void malformedUrlsAreRefusedNamingTheFix() {
        assertThatThrownBy(() -> S3Url.parse("s3:///p?region=r", Map.of())).hasMessage("backup URL s3:///p?region=r"
                + " names no bucket; write s3://bucket/prefix?region=us-east-1");
        assertThatThrownBy(() -> S3Url.parse("s3://b?region=r&sse=aws:kms", Map.of())).hasMessageContaining(
                "has the parameter \"sse\", which flotilla does not know; it reads region, endpoint, use_path_style,"
                        + " s3ForcePathStyle");
        assertThatThrownBy(() -> S3Url.parse("s3://b?endpoint=minio:9000", Map.of())).hasMessageContaining(
                "has the endpoint \"minio:9000\" (from the URL, AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL); write it as"
                        + " http://host:port or https://host");
    }
}
