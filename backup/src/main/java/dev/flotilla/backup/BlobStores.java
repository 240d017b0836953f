package dev.flotilla.backup;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Opens a {@link BlobStore} for a backup URL: {@code file://} and {@code s3://} are supported;
 * Atlas' {@code gs://} and {@code azureblob://} are refused, naming what is.
 */
final class BlobStores {
    static final String SUPPORTED = "file:///path/to/dir and s3://bucket/prefix?region=REGION";

    private BlobStores() {
    }

    /**
     * @param env the process environment (AWS_REGION, AWS_ENDPOINT_URL, …)
     * @param credentials how S3 requests are signed
     * @throws FlotillaException CONFIG_INVALID for a URL of another scheme or a malformed one
     */
    static BlobStore open(String url, Map<String, String> env, AwsCredentialsProvider credentials) {
        int sep = url.indexOf("://");
        String scheme = sep > 0 ? url.substring(0, sep).toLowerCase(Locale.ROOT) : "";
        switch (scheme) {
            case "file":
                return new FileBlobStore(url, filePath(url, url.substring(sep + 3)));
            case "s3":
                return S3BlobStore.open(url, S3Url.parse(url, env), credentials);
            case "gs":
            case "azureblob":
                throw new FlotillaException(ErrorCode.CONFIG_INVALID, "backup URL " + url + ": " + scheme + ":// is"
                        + " not supported by flotilla; it supports " + SUPPORTED + " (S3-compatible servers through"
                        + " ?endpoint= or AWS_ENDPOINT_URL): remove it from migration.repo.backup or use one of those");
            default:
                throw new FlotillaException(ErrorCode.CONFIG_INVALID, "backup URL " + url + " is not one flotilla"
                        + " can open; it supports " + SUPPORTED);
        }
    }

    /** {@code file:///abs/dir} is {@code /abs/dir}; {@code file://dir} is {@code dir} in the working directory. */
    private static Path filePath(String url, String rest) {
        int q = rest.indexOf('?');
        if (q >= 0) {
            for (String param : rest.substring(q + 1).split("&")) {
                if (!param.isEmpty() && !param.startsWith("create_dir")) {
                    throw new FlotillaException(ErrorCode.CONFIG_INVALID, "backup URL " + url + " has the parameter"
                            + " \"" + param + "\"; a file:// backup takes none: write file:///path/to/dir");
                }
            }
            rest = rest.substring(0, q);
        }
        if (rest.isEmpty()) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "backup URL " + url + " names no directory; write"
                    + " file:///var/lib/atlas/backup");
        }
        return Path.of(rest);
    }
}
