package dev.flotilla.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Another JVM on this benchmark's classpath, driven through its stdin and stdout lines; stderr goes to a log file. */
final class ChildJvm implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final java.util.Deque<String> recent = new java.util.ArrayDeque<>();

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::read, "bench-child-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code mainClass} of this classpath (or {@code -jar jar} when mainClass is null and jar given). */
    static ChildJvm start(String name, List<String> jvmOptions, String mainClass, List<String> args, Path log) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmOptions);
        String extra = System.getenv("BENCH_CHILD_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().replace("{name}", name).split("\\s+")));
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return launch(name, cmd, log);
    }

    static ChildJvm launch(String name, List<String> cmd, Path log) {
        return launch(name, cmd, Map.of(), log);
    }

    /** Runs {@code cmd} with {@code env} added to this process's environment. */
    static ChildJvm launch(String name, List<String> cmd, Map<String, String> env, Path log) {
        try {
            ProcessBuilder b = new ProcessBuilder(cmd).redirectError(log.toFile());
            b.environment().putAll(env);
            Process p = b.start();
            return new ChildJvm(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", cmd), e);
        }
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("EOF " + e.getMessage());
        }
    }

    /** The next stdout line containing {@code marker}; fails when the process ends or the time is up. */
    String await(String marker, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.contains(marker)) {
                return line;
            }
            if (line != null) {
                recent.addLast(line);
                if (recent.size() > 10) {
                    recent.removeFirst();
                }
            }
            if (line == null && !process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before printing \""
                        + marker + "\"" + (recent.isEmpty() ? "" : "; it printed: " + String.join(" / ", recent))
                        + lastError());
            }
        }
        throw new IllegalStateException(name + " did not print \"" + marker + "\" within " + timeoutMs / 1000 + " s");
    }

    private String lastError() {
        if (log == null) {
            return "";
        }
        try {
            for (String l : java.nio.file.Files.readAllLines(log)) {
                if (l.startsWith("Error") || l.contains("Exception:")) {
                    return "; its log says: " + l;
                }
            }
        } catch (IOException e) {
            // no log to quote
        }
        return "";
    }

    /** Waits for {@code READY port=N} and returns N. */
    int awaitReady(long timeoutMs) throws InterruptedException {
        String line = await("READY port=", timeoutMs);
        return Integer.parseInt(line.substring(line.indexOf('=') + 1).trim());
    }

    /** Asks a {@link ServiceProcess} for its numbers. */
    Map<String, Long> stats() throws InterruptedException {
        send("stats");
        Map<String, Long> out = new HashMap<>();
        for (String kv : await("STATS ", 30_000).substring(6).split(" ")) {
            String[] p = kv.split("=");
            out.put(p[0], Long.parseLong(p[1]));
        }
        return out;
    }

    private void send(String line) {
        try {
            stdin.write(line + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(name + " stopped listening", e);
        }
    }

    long pid() {
        return process.pid();
    }

    /** Stops it with SIGTERM (shutdown hooks run), SIGKILL after 30 s. */
    void terminate() throws InterruptedException {
        terminate(30);
    }

    /** Stops it with SIGTERM (shutdown hooks run), SIGKILL after {@code seconds}. */
    void terminate(int seconds) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** Asks it to stop; SIGTERM after 30 s, SIGKILL after 30 more. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                try {
                    send("stop");
                } catch (UncheckedIOException e) {
                    // it closed stdin already
                }
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
