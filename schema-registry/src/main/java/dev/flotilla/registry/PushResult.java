package dev.flotilla.registry;

/**
 * What a push did.
 *
 * @param directory registry name
 * @param tag the tag that was pushed
 * @param versionId the content id of the pushed version
 * @param latestVersion its last file version
 * @param fileCount number of files
 * @param moved whether the tag now points at a different version (a new deployment follows)
 * @param announcement the outbox row of the event announcing the push; 0 when the tag did not move
 */
public record PushResult(String directory, String tag, String versionId, String latestVersion, int fileCount,
        boolean moved, long announcement) {
}
