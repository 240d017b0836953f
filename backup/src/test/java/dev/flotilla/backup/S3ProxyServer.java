package dev.flotilla.backup;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.net.URI;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * A real S3-compatible HTTP server (S3Proxy on an in-memory jclouds blob store) on a free loopback
 * port, for the class ({@code @RegisterExtension static final S3ProxyServer S3 = new S3ProxyServer();}).
 * It checks AWS signatures against {@link #credentials()}.
 */
final class S3ProxyServer implements BeforeAllCallback, AfterAllCallback {
    static final String ACCESS_KEY = "flotilla-test";
    static final String SECRET_KEY = "flotilla-test-secret";

    private BlobStoreContext context;
    private S3Proxy proxy;

    @Override
    public void beforeAll(ExtensionContext ctx) throws Exception {
        context = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
                .build(BlobStoreContext.class);
        proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> "STARTED".equals(proxy.getState()));
    }

    @Override
    public void afterAll(ExtensionContext ctx) throws Exception {
        proxy.stop();
        context.close();
    }

    /** {@code http://127.0.0.1:PORT}. */
    String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    /** Creates a bucket (S3 bucket names are global to the server). */
    void createBucket(String name) {
        context.getBlobStore().createContainerInLocation(null, name);
    }

    static AwsCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
    }
}
