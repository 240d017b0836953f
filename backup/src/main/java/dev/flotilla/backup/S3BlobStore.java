package dev.flotilla.backup;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * A backup repository in an S3 bucket (or an S3-compatible server), through the AWS SDK v2 with the
 * credentials the caller gives (the standard chain in production: environment, profile files,
 * container or instance role). Objects are written whole with one PUT, so readers see old or new.
 *
 * <p>Integrity: each PUT carries a {@code Content-MD5} that S3 checks, and every archive read is
 * checked against its SHA-256 by {@link Backups}. The SDK's newer default checksums (CRC trailers
 * on chunked uploads) are asked for only where an operation requires them: S3-compatible servers
 * such as S3Proxy answer such uploads with {@code XAmzContentSHA256Mismatch}.
 */
final class S3BlobStore implements BlobStore {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final String url;
    private final S3Url location;
    private final S3Client s3;

    private S3BlobStore(String url, S3Url location, S3Client s3) {
        this.url = url;
        this.location = location;
        this.s3 = s3;
    }

    /** A store for {@code location}, signing with {@code credentials}. */
    static S3BlobStore open(String url, S3Url location, AwsCredentialsProvider credentials) {
        S3ClientBuilder b = S3Client.builder().region(Region.of(location.region())).credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(CONNECT_TIMEOUT)
                        .socketTimeout(CALL_TIMEOUT))
                .overrideConfiguration(c -> c.apiCallTimeout(CALL_TIMEOUT))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .forcePathStyle(location.pathStyle());
        if (location.endpoint() != null) {
            b.endpointOverride(location.endpoint());
        }
        return new S3BlobStore(url, location, b.build());
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public void put(String key, byte[] bytes) {
        try {
            s3.putObject(r -> r.bucket(location.bucket()).key(location.prefix() + key).contentMD5(md5(bytes))
                    .contentType(key.endsWith(".tar") ? "application/x-tar" : "text/plain"), RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw failure("write", key, e);
        }
    }

    @Override
    public Optional<byte[]> get(String key) {
        try {
            ResponseBytes<GetObjectResponse> r = s3.getObjectAsBytes(b -> b.bucket(location.bucket())
                    .key(location.prefix() + key));
            return Optional.of(r.asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw failure("read", key, e);
        }
    }

    @Override
    public void close() {
        s3.close();
    }

    private static String md5(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available in this JVM", e);
        }
    }

    private FlotillaException failure(String verb, String key, SdkException e) {
        String where = "backup " + url + ": cannot " + verb + " " + location.location(key) + ": ";
        if (e instanceof S3Exception) {
            S3Exception s = (S3Exception) e;
            String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
            ErrorCode ours = s.statusCode() == 403 ? ErrorCode.AUTH_FAILED : ErrorCode.CONNECTION_FAILED;
            return new FlotillaException(ours, where + "S3 answered HTTP " + s.statusCode() + (code == null ? ""
                    : " " + code) + fix(s.statusCode(), code), e);
        }
        return new FlotillaException(ErrorCode.CONNECTION_FAILED, where + e.getMessage() + "; check the endpoint,"
                + " the network and the AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE)", e);
    }

    private String fix(int status, String code) {
        if ("NoSuchBucket".equals(code)) {
            return "; create the bucket " + location.bucket() + " or correct the URL";
        }
        if (status == 403) {
            return "; give the credentials s3:GetObject and s3:PutObject on bucket " + location.bucket();
        }
        return "";
    }

    @Override
    public String toString() {
        return "S3BlobStore[" + location.location("") + "]";
    }
}
