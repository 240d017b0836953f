package dev.flotilla.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** What the numbers were measured on: machine, JVM, load, and the checkout. */
final class Environment {
    private Environment() {
    }

    static String describe() {
        Runtime rt = Runtime.getRuntime();
        return String.format(Locale.ROOT, "%s · %d cores · %s · Java %s (%s, -Xmx %d MiB) · load average %s · %s",
                ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z")),
                rt.availableProcessors(), memory(), System.getProperty("java.version"),
                ManagementFactory.getRuntimeMXBean().getVmName(), rt.maxMemory() >> 20, load(), git());
    }

    /** The 1-, 5- and 15-minute load averages. */
    static String load() {
        return read("/proc/loadavg").replaceAll("^(\\S+ \\S+ \\S+).*$", "$1").trim();
    }

    private static String memory() {
        for (String line : read("/proc/meminfo").split("\n")) {
            if (line.startsWith("MemTotal:")) {
                long kb = Long.parseLong(line.replaceAll("\\D", ""));
                return (kb >> 20) + " GiB RAM";
            }
        }
        return "? RAM";
    }

    private static String git() {
        try {
            Process p = new ProcessBuilder("git", "describe", "--always", "--dirty").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? "checkout " + out : "not in a checkout";
        } catch (IOException e) {
            return "no git";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no git";
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "?";
        }
    }
}
