package dev.flotilla.cli.dev;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code flotilla dev}: every service in one JVM, with embedded Kafka and PostgreSQL. */
@Command(name = "dev", mixinStandardHelpOptions = true,
        description = "Run registry, coordinator, worker and aggregator in one JVM with an embedded Kafka and"
                + " PostgreSQL; reads ./atlas.hcl.")
public final class DevCommand implements Callable<Integer> {
    @Mixin
    ServerOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return options.run(spec.commandLine().getOut(), List.of(DevServer.Role.values()), "flotilla dev", true);
    }

    /** Runs until the JVM is stopped, printing where to reach it. */
    static int serve(PrintWriter out, DevServer.Options o, String what) throws Exception {
        long t0 = System.nanoTime();
        DevServer server = DevServer.start(o);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stop.countDown();
        }, "flotilla-shutdown"));
        String base = "http://" + ("0.0.0.0".equals(o.host()) ? "localhost" : o.host()) + ":" + server.port();
        out.println(what + " is ready in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        out.println("  API and registry: " + base + "/api/v1");
        out.println("  metrics:          " + base + "/metrics");
        out.println("  health:           " + base + "/health/ready");
        if (o.roles().contains(DevServer.Role.AGGREGATOR)) {
            out.println("  API docs:         " + base + "/api/v1/docs");
        }
        out.println("  project file:     " + (o.config() == null ? "(none)" : o.config().toAbsolutePath()));
        if (server.adminTokenFile() != null) {
            out.println("  admin token:      " + server.adminTokenFile().toAbsolutePath() + " (the CLI reads it from"
                    + " here; others need 'flotilla token create')");
        }
        out.println("Push a directory with: flotilla migrate push --dir file://migrations NAME");
        out.flush();
        stop.await();
        return 0;
    }
}
