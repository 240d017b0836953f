package dev.flotilla.coordinator;

import dev.flotilla.protocol.avro.DirectoryPushed;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** What the coordinator knows of pushed directories: which version each tag points at. */
final class DirectoryIndex {
    /**
     * A tag's version.
     *
     * @param directory registry name
     * @param tag tag name
     * @param versionId content id
     * @param latestVersion last file version of that content
     */
    record TagVersion(String directory, String tag, String versionId, String latestVersion) {
    }

    private final Map<String, TagVersion> tags = new ConcurrentHashMap<>();

    /** Records a push: the pushed tag and {@code latest} now point at its version. */
    void pushed(DirectoryPushed e) {
        TagVersion v = new TagVersion(e.getDirectory(), e.getTag(), e.getVersionId(), e.getLatestVersion());
        tags.put(key(e.getDirectory(), e.getTag()), v);
        tags.put(key(e.getDirectory(), "latest"), new TagVersion(e.getDirectory(), "latest", e.getVersionId(),
                e.getLatestVersion()));
    }

    Optional<TagVersion> find(String directory, String tag) {
        return Optional.ofNullable(tags.get(key(directory, tag == null ? "latest" : tag)));
    }

    private static String key(String directory, String tag) {
        return directory + ":" + tag;
    }
}
