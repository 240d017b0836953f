package dev.flotilla.coordinator;

import dev.flotilla.protocol.avro.DirectoryPushed;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the coordinator knows of pushed directories: which version each tag points at. Pushes may
 * arrive out of order (the registry's outbox retries an event Kafka refused on its own schedule,
 * while the ones behind it go out), so a tag moves only to a push at least as recent as the one it
 * points at, by the time the registry stored each.
 */
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

    /**
     * What a push moved.
     *
     * @param tag whether the pushed tag now points at the push's version
     * @param latest whether {@code latest} does
     */
    record Moved(boolean tag, boolean latest) {
    }

    private record Entry(TagVersion version, Instant pushedAt) {
    }

    private final Map<String, Entry> tags = new ConcurrentHashMap<>();

    /** Records a push: the pushed tag and {@code latest} point at its version, unless a later push moved them. */
    Moved pushed(DirectoryPushed e) {
        boolean tag = move(new TagVersion(e.getDirectory(), e.getTag(), e.getVersionId(), e.getLatestVersion()),
                e.getOccurredAt());
        boolean latest = move(new TagVersion(e.getDirectory(), "latest", e.getVersionId(), e.getLatestVersion()),
                e.getOccurredAt());
        return new Moved(tag, latest);
    }

    private boolean move(TagVersion v, Instant pushedAt) {
        Entry next = new Entry(v, pushedAt);
        Entry now = tags.merge(key(v.directory(), v.tag()), next,
                (old, pushed) -> pushed.pushedAt().isBefore(old.pushedAt()) ? old : pushed);
        return now == next;
    }

    Optional<TagVersion> find(String directory, String tag) {
        return Optional.ofNullable(tags.get(key(directory, tag == null ? "latest" : tag))).map(Entry::version);
    }

    private static String key(String directory, String tag) {
        return directory + ":" + tag;
    }
}
