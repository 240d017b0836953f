package dev.flotilla.backup;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An {@code s3://bucket/prefix?region=R&endpoint=E&use_path_style=true} backup URL, resolved against
 * the environment: the region is the URL's, else {@code AWS_REGION}, else {@code AWS_DEFAULT_REGION},
 * else {@code us-east-1} when an endpoint is set (S3-compatible servers ignore it); the endpoint is the
 * URL's, else {@code AWS_ENDPOINT_URL_S3}, else {@code AWS_ENDPOINT_URL}, else AWS. Path-style
 * addressing ({@code endpoint/bucket/key}) is used with any endpoint, as S3-compatible servers need,
 * unless {@code use_path_style=false}.
 *
 * @param bucket the bucket; never null
 * @param prefix the key prefix, empty or ending in {@code /}; never null
 * @param region the signing region; never null
 * @param endpoint the server, e.g. {@code http://127.0.0.1:9000}; null for AWS itself
 * @param pathStyle whether to address the bucket in the path
 */
record S3Url(String bucket, String prefix, String region, URI endpoint, boolean pathStyle) {
    private static final List<String> PARAMETERS = List.of("region", "endpoint", "use_path_style", "s3ForcePathStyle");

    /**
     * Parses {@code url}, reading defaults from {@code env}.
     *
     * @throws FlotillaException CONFIG_INVALID naming the URL, what is wrong and how to write it
     */
    static S3Url parse(String url, Map<String, String> env) {
        URI uri = uri(url);
        String bucket = uri.getRawAuthority();
        if (bucket == null || bucket.isEmpty()) {
            throw invalid(url, "names no bucket; write s3://bucket/prefix?region=us-east-1");
        }
        Map<String, String> params = params(url, uri.getRawQuery());
        URI endpoint = endpoint(url, first(params.get("endpoint"), env.get("AWS_ENDPOINT_URL_S3"),
                env.get("AWS_ENDPOINT_URL")));
        String region = first(params.get("region"), env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION"),
                endpoint == null ? null : "us-east-1");
        if (region == null) {
            throw invalid(url, "names no region; add ?region=us-east-1 (the bucket's region) or set AWS_REGION");
        }
        String style = first(params.get("use_path_style"), params.get("s3ForcePathStyle"));
        boolean pathStyle = style == null ? endpoint != null : Boolean.parseBoolean(style);
        return new S3Url(bucket, prefix(uri.getPath()), region, endpoint, pathStyle);
    }

    private static URI uri(String url) {
        try {
            return new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw invalid(url, "is not a URL (" + e.getReason() + "); write s3://bucket/prefix?region=us-east-1");
        }
    }

    private static Map<String, String> params(String url, String query) {
        Map<String, String> out = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (!PARAMETERS.contains(name)) {
                throw invalid(url, "has the parameter \"" + name + "\", which flotilla does not know; it reads "
                        + String.join(", ", PARAMETERS));
            }
            out.put(name, URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static URI endpoint(String url, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String lower = value.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
            throw invalid(url, "has the endpoint \"" + value + "\" (from the URL, AWS_ENDPOINT_URL_S3 or"
                    + " AWS_ENDPOINT_URL); write it as http://host:port or https://host");
        }
        return URI.create(value.trim());
    }

    private static String prefix(String path) {
        String p = path == null ? "" : path.replaceAll("^/+|/+$", "");
        return p.isEmpty() ? "" : p + "/";
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }

    private static FlotillaException invalid(String url, String problem) {
        return new FlotillaException(ErrorCode.CONFIG_INVALID, "backup URL " + url + " " + problem);
    }

    /** {@code s3://bucket/prefix/key}, for messages. */
    String location(String key) {
        return "s3://" + bucket + "/" + prefix + key;
    }
}
