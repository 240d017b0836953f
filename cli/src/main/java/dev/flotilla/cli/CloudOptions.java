package dev.flotilla.cli;

import picocli.CommandLine.Option;

/** Options every {@code cloud} command takes: the Flotilla server and the output format. */
final class CloudOptions {
    static final String URL_FLAG = "--url";

    @Option(names = URL_FLAG, paramLabel = "URL",
            description = "Flotilla server (default: $FLOTILLA_URL, else " + ApiClient.DEFAULT_URL + ").")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "API token (default: $FLOTILLA_TOKEN, else the one 'flotilla dev' keeps in .flotilla/admin.token).")
    String token;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "json (or '{{ json . }}') prints the server's JSON; default: a table.")
    String format;

    ApiClient api() {
        return ApiClient.connect(url, URL_FLAG, token);
    }

    /** Whether JSON was asked for; an unknown format is refused before any request is sent. */
    boolean json() {
        return AtlasJson.requested(format);
    }
}
