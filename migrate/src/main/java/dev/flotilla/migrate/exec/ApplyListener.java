package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.exec.PreparedDirectory.PreparedFile;

import java.util.List;

/** Progress callbacks of one apply, called on the applying thread, in order. */
public interface ApplyListener {
    /** Nothing listens. */
    ApplyListener NONE = new ApplyListener() {
    };

    /**
     * The plan is known.
     *
     * @param current the version the target is at, null when none
     * @param target the version it will be at, null when nothing is pending
     * @param pending files that will run
     */
    default void planned(String current, String target, List<PreparedFile> pending) {
    }

    /** A file starts. */
    default void fileStarted(PreparedFile file) {
    }

    /** A statement is about to run; {@code shownText} is masked for sensitive files. */
    default void statementStarted(PreparedFile file, String shownText) {
    }

    /** A file finished, with or without error. */
    default void fileFinished(FileResult result) {
    }
}
