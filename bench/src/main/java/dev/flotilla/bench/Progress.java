package dev.flotilla.bench;

import java.io.IOException;
import java.io.InputStream;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Properties;

/** Progress lines on stderr, so stdout holds only the tables. */
final class Progress {
    private Progress() {
    }

    static void say(String format, Object... args) {
        System.err.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " " + String.format(format, args));
    }

    /** A library's version from the Maven metadata kept in the jar, or "?" when absent. */
    static String version(String group, String artifact) {
        String path = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = Progress.class.getResourceAsStream(path)) {
            if (in == null) {
                return "?";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "?");
        } catch (IOException e) {
            return "?";
        }
    }
}
