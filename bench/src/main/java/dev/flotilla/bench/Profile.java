package dev.flotilla.bench;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;

/**
 * A JFR recording of one measured stretch, when {@code -Dbench.jfr=DIR} asks for it: JFR's
 * "profile" settings, written to {@code DIR/<label>.jfr} when the stretch ends. Nothing otherwise.
 */
final class Profile implements AutoCloseable {
    private final Recording recording;
    private final Path file;

    private Profile(Recording recording, Path file) {
        this.recording = recording;
        this.file = file;
    }

    static Profile start(String label) {
        String dir = System.getProperty("bench.jfr");
        if (dir == null || dir.isBlank()) {
            return new Profile(null, null);
        }
        try {
            Path file = Files.createDirectories(Path.of(dir)).resolve(label.replaceAll("[^A-Za-z0-9._-]+", "-")
                    + ".jfr");
            Recording r = new Recording(Configuration.getConfiguration("profile"));
            r.setName(label);
            r.start();
            return new Profile(r, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record into " + dir, e);
        } catch (ParseException e) {
            throw new IllegalStateException("JFR's profile settings do not parse: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (recording == null) {
            return;
        }
        try {
            recording.stop();
            recording.dump(file);
            Progress.say("JFR recording of this run: %s", file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        } finally {
            recording.close();
        }
    }
}
