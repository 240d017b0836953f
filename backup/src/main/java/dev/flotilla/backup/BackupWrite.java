package dev.flotilla.backup;

/**
 * How writing one push to one backup repository went.
 *
 * @param url the backup URL, as the project file writes it; never null
 * @param error why the write failed, naming the object and the fix; null when it succeeded
 */
public record BackupWrite(String url, String error) {
    /** Whether the version and its tags are in this backup. */
    public boolean ok() {
        return error == null;
    }
}
