package dev.flotilla.cli.dev;

import dev.flotilla.fabric.access.Tokens;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/** One Flotilla service in its own JVM ({@code java -jar flotilla.jar <role> …}), killable with SIGKILL. */
final class ServiceProcess implements AutoCloseable {
    private static final Pattern PORT = Pattern.compile("http://[^:]+:(\\d+)/api/v1");
    /** The admin token every service process is started with (FLOTILLA_ADMIN_TOKEN), as in production. */
    static final String ADMIN_TOKEN = Tokens.generate();

    private final String role;
    private List<String> command;
    private final java.util.Map<String, String> env = new java.util.HashMap<>();
    private final Path log;
    private Process process;
    private int starts;

    ServiceProcess(String role, Path dir, String kafka, String jdbcUrl, Path config) {
        this(role, dir, List.of(role, "--kafka", kafka, "--config", config.toString(), "--port", "0",
                "--concurrency", "4", "--max-per-server", "4", "--data-dir", dir.resolve(role + "-data").toString()));
        if (jdbcUrl != null) {
            command.add("--jdbc-url");
            command.add(jdbcUrl);
        }
    }

    private ServiceProcess(String role, Path dir, List<String> args) {
        this.role = role;
        this.log = dir.resolve(role + ".log");
        List<String> c = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar",
                Path.of("target", "flotilla.jar").toAbsolutePath().toString()));
        c.addAll(args);
        this.command = c;
    }

    /** A single-node Kafka broker process on fixed ports, so that it can be killed and restarted in place. */
    static ServiceProcess kafka(Path dir, int port, int controllerPort) {
        return new ServiceProcess("kafka", dir, List.of("kafka", "--port", Integer.toString(port),
                "--controller-port", Integer.toString(controllerPort), "--data-dir", dir.resolve("kafka-data").toString()));
    }

    /** {@code flotilla dev}: everything in one process, with its embedded Kafka and PostgreSQL in {@code dataDir}. */
    static ServiceProcess dev(Path dir, Path dataDir, Path config) {
        return new ServiceProcess("dev", dir, List.of("dev", "--port", "0", "--data-dir", dataDir.toString(),
                "--config", config.toString(), "--concurrency", "4", "--max-per-server", "4"));
    }

    /** A worker that fetches directory versions from the registry at {@code port} with {@code token} (scope deploy). */
    ServiceProcess fetchingFrom(int port, String token) {
        command = new ArrayList<>(command);
        command.addAll(List.of("--registry-url", "http://127.0.0.1:" + port));
        env.put("FLOTILLA_WORKER_TOKEN", token);
        return this;
    }

    /** Starts under another command (a second worker with its own name and logs). */
    ServiceProcess startAs(String realRole) throws IOException {
        command = new ArrayList<>(command);
        command.set(command.indexOf(role), realRole);
        return start();
    }

    /** Starts (again) and waits until the service says it is ready. */
    ServiceProcess start() throws IOException {
        starts++;
        Path out = log.resolveSibling(role + "." + starts + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("FLOTILLA_ADMIN_TOKEN", ADMIN_TOKEN);
        pb.environment().putAll(env);
        process = pb.start();
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(role + " exited: " + Files.readString(out));
            }
            return Files.readString(out).contains("is ready in");
        });
        return this;
    }

    /** The HTTP port it listens on. */
    int port() throws IOException {
        // The ready line and the address are two writes: a restarted service may be read between them.
        Path out = log.resolveSibling(role + "." + starts + ".log");
        try {
            Matcher m = await().atMost(Duration.ofSeconds(10)).until(() -> PORT.matcher(Files.readString(out)),
                    Matcher::find);
            return Integer.parseInt(m.group(1));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new IllegalStateException(role + " printed no port: " + Files.readString(out), e);
        }
    }

    /** SIGKILL: no shutdown hook, no flush, no commit. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }
}
