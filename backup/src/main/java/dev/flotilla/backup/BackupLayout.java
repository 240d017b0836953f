package dev.flotilla.backup;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.util.regex.Pattern;

/**
 * Where a pushed version lives in a backup repository, under the URL's path (a directory for
 * {@code file://}, a key prefix for {@code s3://}):
 *
 * <pre>
 * &lt;prefix&gt;/&lt;directory&gt;/versions/&lt;versionId&gt;.tar   the archive, as the registry stores it
 * &lt;prefix&gt;/&lt;directory&gt;/tags/&lt;tag&gt;                  the version id the tag points at, then a newline
 * </pre>
 *
 * <p>{@code versionId} is the lower-case hex SHA-256 of the archive, so every read can check what it
 * got. A push writes the version first and then its tag and {@code latest}, so a tag never names a
 * version the repository lacks. Names are checked here, before they become paths or keys.
 */
final class BackupLayout {
    private static final Pattern DIRECTORY = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    private static final Pattern VERSION_ID = Pattern.compile("[0-9a-f]{64}");
    /** The tag every push moves, as the registry does. */
    static final String LATEST = "latest";

    private BackupLayout() {
    }

    /** {@code <directory>/versions/<versionId>.tar}. */
    static String versionKey(String directory, String versionId) {
        return directory(directory) + "/versions/" + versionId(versionId) + ".tar";
    }

    /** {@code <directory>/tags/<tag>}. */
    static String tagKey(String directory, String tag) {
        return directory(directory) + "/tags/" + tag(tag);
    }

    static String directory(String name) {
        return check("directory name", name, DIRECTORY, "letters, digits, '-' and '_', e.g. app");
    }

    static String tag(String tag) {
        if (".".equals(tag) || "..".equals(tag)) {
            throw invalid("tag", tag, "letters, digits, '.', '-' and '_', and not only dots, e.g. a git commit");
        }
        return check("tag", tag, TAG, "letters, digits, '.', '-' and '_', e.g. a git commit");
    }

    static String versionId(String id) {
        return check("version id", id, VERSION_ID, "the 64 lower-case hex digits of the archive's SHA-256");
    }

    /** Whether {@code text} is a version id. */
    static boolean isVersionId(String text) {
        return text != null && VERSION_ID.matcher(text).matches();
    }

    private static String check(String what, String value, Pattern p, String rule) {
        if (value == null || !p.matcher(value).matches()) {
            throw invalid(what, value, rule);
        }
        return value;
    }

    private static FlotillaException invalid(String what, String value, String rule) {
        return new FlotillaException(ErrorCode.CONFIG_INVALID, "invalid backup " + what + " \"" + value + "\": use "
                + rule);
    }
}
