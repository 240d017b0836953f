package dev.flotilla.cli;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.util.regex.Pattern;

/**
 * A directory in the Flotilla registry and an optional tag, written {@code NAME[:TAG]} on the
 * command line or {@code atlas://NAME[?tag=TAG]} as a {@code --dir}.
 *
 * @param name the directory name: letters, digits, {@code -} and {@code _}
 * @param tag  the tag, or null for the server's default ({@code latest})
 */
record RegistryRef(String name, String tag) {
    static final String SCHEME = "atlas://";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_.-]+");

    /** Parses the {@code NAME[:TAG]} argument of {@code migrate push}. */
    static RegistryRef ofArgument(String arg) {
        int colon = arg.indexOf(':');
        String name = colon < 0 ? arg : arg.substring(0, colon);
        String tag = colon < 0 ? null : arg.substring(colon + 1);
        return checked(name, tag, "directory \"" + arg + "\"");
    }

    /** Parses {@code atlas://NAME}, {@code atlas://NAME?tag=TAG}. */
    static RegistryRef ofUrl(String url) {
        String rest = url.substring(SCHEME.length());
        int q = rest.indexOf('?');
        String name = q < 0 ? rest : rest.substring(0, q);
        String tag = null;
        if (q >= 0) {
            for (String param : rest.substring(q + 1).split("&")) {
                if (param.startsWith("tag=")) {
                    tag = param.substring("tag=".length());
                } else if (param.startsWith("version=")) {
                    throw new FlotillaException(ErrorCode.CONFIG_INVALID, "--dir \"" + url + "\": on the command"
                            + " line, cap the version with --to-version " + param.substring("version=".length())
                            + " and read the directory by tag: atlas://" + name + "?tag=TAG");
                } else if (!param.isEmpty()) {
                    throw new FlotillaException(ErrorCode.CONFIG_INVALID, "--dir \"" + url + "\": unsupported"
                            + " parameter \"" + param + "\"; the registry is read by tag: atlas://" + name
                            + "?tag=TAG (or atlas://" + name + " for the latest push)");
                }
            }
        }
        return checked(name, tag, "--dir \"" + url + "\"");
    }

    private static RegistryRef checked(String name, String tag, String what) {
        if (!NAME.matcher(name).matches()) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, what + ": the directory name \"" + name
                    + "\" must be letters, digits, '-' and '_', e.g. app or app:v1");
        }
        if (tag != null && !TAG.matcher(tag).matches()) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, what + ": the tag \"" + tag + "\" must be"
                    + " letters, digits, '.', '-' and '_', e.g. a git commit");
        }
        return new RegistryRef(name, tag);
    }

    /** {@code ?tag=TAG} encoded, or the empty string without a tag. */
    String tagQuery() {
        return tag == null ? "" : "?tag=" + ApiClient.encode(tag);
    }

    String archivePath() {
        return "/api/v1/dirs/" + ApiClient.encode(name) + "/archive" + tagQuery();
    }

    String pushPath() {
        return "/api/v1/dirs/" + ApiClient.encode(name) + "/push" + tagQuery();
    }
}
