package dev.flotilla.backup;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Backups in S3 buckets, against a real S3-compatible HTTP server (S3Proxy) in this JVM. */
class S3BackupsIT {
    @RegisterExtension
    static final S3ProxyServer S3 = new S3ProxyServer();

    @TempDir
    Path tmp;

    private Backups open(Map<String, String> env, String... urls) {
        return Backups.open(List.of(urls), env, S3ProxyServer.credentials(), () -> { });
    }

    private String s3(String bucket, String prefix) {
        return "s3://" + bucket + "/" + prefix + "?region=us-east-1&endpoint=" + S3.endpoint();
    }

    @Test
    void aPushIsStoredInTheBucketUnderThePrefixAndReadBackVerified() {
        S3.createBucket("backups-a");
        PushedVersion v = PushedVersion.of("app", "v1", Fixtures.directory(3));
        try (Backups backups = open(Map.of(), s3("backups-a", "atlas-backup"))) {
            assertThat(backups.write(v)).singleElement().satisfies(w -> assertThat(w.ok()).as(w.error()).isTrue());

            assertThat(object("backups-a", "atlas-backup/app/tags/v1")).isEqualTo(v.versionId() + "\n");
            assertThat(object("backups-a", "atlas-backup/app/tags/latest")).isEqualTo(v.versionId() + "\n");
            BackupCopy copy = backups.readTag("app", "v1");
            assertThat(copy.archive()).isEqualTo(v.archive());
            assertThat(copy.directory().files()).hasSize(3);
            assertThat(backups.read("app", v.versionId()).url()).isEqualTo(s3("backups-a", "atlas-backup"));
        }
    }

    @Test
    void thePublicOpenSignsWithTheStandardCredentialChain() {
        S3.createBucket("backups-chain");
        PushedVersion v = PushedVersion.of("app", "v1", Fixtures.directory(1));
        System.setProperty("aws.accessKeyId", S3ProxyServer.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET_KEY);
        try (Backups backups = Backups.open(List.of(s3("backups-chain", "p")))) {
            assertThat(backups.write(v).get(0).error()).isNull();
            assertThat(backups.read("app", v.versionId()).directory().files()).hasSize(1);
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    @Test
    void awsEndpointUrlFromTheEnvironmentIsHonoured() {
        S3.createBucket("backups-env");
        PushedVersion v = PushedVersion.of("app", null, Fixtures.directory(1));
        try (Backups backups = open(Map.of("AWS_ENDPOINT_URL", S3.endpoint(), "AWS_REGION", "eu-central-1"),
                "s3://backups-env/m")) {
            assertThat(backups.write(v).get(0).error()).isNull();

            assertThat(backups.readTag("app", null).versionId()).isEqualTo(v.versionId());
        }
    }

    @Test
    void aCorruptedS3ObjectIsRefusedAndTheFileBackupBehindItIsRead() {
        S3.createBucket("backups-b");
        PushedVersion v = PushedVersion.of("app", "v2", Fixtures.directory(2));
        String file = "file://" + tmp.resolve("fallback");
        try (Backups backups = open(Map.of(), s3("backups-b", "p"), file)) {
            backups.write(v);
            byte[] corrupted = v.archive().clone();
            corrupted[600] ^= 1;
            put("backups-b", "p/app/versions/" + v.versionId() + ".tar", corrupted);

            BackupCopy copy = backups.readTag("app", "v2");

            assertThat(copy.url()).isEqualTo(file);
            assertThat(copy.archive()).isEqualTo(v.archive());
            assertThat(copy.skipped()).singleElement().asString().startsWith("backup " + s3("backups-b", "p") + ": refused"
                    + " app/versions/" + v.versionId() + ".tar: its SHA-256 is ");
        }
    }

    @Test
    void anUnreachableServerAndAMissingBucketAreReportedAndSkipped() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String down = "s3://b/p?region=us-east-1&endpoint=http://127.0.0.1:" + closed;
        String noBucket = s3("no-such-bucket", "p");
        PushedVersion v = PushedVersion.of("app", null, Fixtures.directory(1));
        try (Backups backups = open(Map.of(), down, noBucket)) {
            List<BackupWrite> writes = backups.write(v);
            FlotillaException e = catchThrowableOfType(FlotillaException.class, () -> backups.readTag("app", null));

            assertThat(writes.get(0).error()).startsWith("backup " + down + ": cannot write s3://b/p/app/versions/")
                    .contains("check the endpoint, the network and the AWS credentials");
            assertThat(writes.get(1).error()).contains("S3 answered HTTP 404 NoSuchBucket; create the bucket"
                    + " no-such-bucket or correct the URL");
            assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
            assertThat(e.getMessage()).contains("  - backup " + down + ": cannot read s3://b/p/app/tags/latest")
                    .contains("  - backup " + noBucket + ": cannot read s3://no-such-bucket/p/app/tags/latest: S3"
                            + " answered HTTP 404 NoSuchBucket");
        }
    }

    @Test
    void wrongCredentialsAreAnAuthenticationFailureNamingTheBucket() {
        S3.createBucket("backups-c");
        PushedVersion v = PushedVersion.of("app", null, Fixtures.directory(1));
        try (Backups backups = Backups.open(List.of(s3("backups-c", "p")), Map.of(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("someone", "else")), () -> { })) {
            assertThat(backups.write(v).get(0).error()).contains("S3 answered HTTP 403")
                    .contains("give the credentials s3:GetObject and s3:PutObject on bucket backups-c");
        }
    }

    private static S3Client client() {
        return S3Client.builder().region(Region.US_EAST_1).credentialsProvider(S3ProxyServer.credentials())
                .endpointOverride(URI.create(S3.endpoint())).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder()).build();
    }

    private static String object(String bucket, String key) {
        try (S3Client s3 = client()) {
            return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asString(StandardCharsets.US_ASCII);
        }
    }

    private static void put(String bucket, String key, byte[] bytes) {
        try (S3Client s3 = client()) {
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
        }
    }
}
