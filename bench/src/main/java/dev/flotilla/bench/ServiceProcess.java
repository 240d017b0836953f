package dev.flotilla.bench;

import dev.flotilla.cli.dev.DevServer;
import dev.flotilla.fabric.HttpSettings;
import dev.flotilla.fabric.KafkaSettings;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A child JVM running Flotilla services (what {@code flotilla worker} or {@code flotilla coordinator}
 * runs), measured from start: prints {@code READY port=N}, answers {@code stats} on stdin with
 * {@code STATS cpuMs=… allocMiB=… peakMiB=… liveMiB=… gcMs=… jitMs=…}, and stops on {@code stop} or end of input.
 *
 * <p>Arguments: {@code roles kafka jdbcUrlOrDash projectFile dataDir concurrency maxPerServer
 * [registryUrl tokenFile]}; a process with a worker and no registry fetches directory versions from
 * {@code registryUrl} with the token in {@code tokenFile}.
 */
public final class ServiceProcess {
    private ServiceProcess() {
    }

    public static void main(String[] args) throws Exception {
        List<DevServer.Role> roles = new ArrayList<>();
        for (String r : args[0].split(",")) {
            roles.add(DevServer.Role.valueOf(r.toUpperCase(Locale.ROOT)));
        }
        JvmMeter meter = JvmMeter.start(false);
        String registryUrl = args.length > 8 ? args[7] : null;
        String token = args.length > 8 ? java.nio.file.Files.readString(Path.of(args[8])).trim() : null;
        DevServer server = DevServer.start(new DevServer.Options(roles, KafkaSettings.plain(args[1]), "-".equals(args[2]) ? null : args[2],
                Path.of(args[3]), Map.of(), "127.0.0.1", 0, Path.of(args[4]), Integer.parseInt(args[5]),
                Integer.parseInt(args[6]), DevServer.DEFAULT_MAX_ARCHIVE_BYTES, HttpSettings.loopback(),
                !"-".equals(args[2]), registryUrl, token, DevServer.DEFAULT_DIRECTORY_CACHE_BYTES));
        while (!server.ready()) {
            Thread.sleep(20);
        }
        System.out.println("READY port=" + server.port());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !"stop".equals(line); line = in.readLine()) {
            if ("stats".equals(line)) {
                Usage u = meter.snapshot();
                System.out.printf(Locale.ROOT, "STATS cpuMs=%d allocMiB=%d peakMiB=%d liveMiB=%d gcMs=%d jitMs=%d%n",
                        u.cpuNanos() / 1_000_000, u.allocatedBytes() >> 20, u.peakHeapBytes() >> 20,
                        u.liveHeapBytes() >> 20, gcMillis(),
                        java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime());
                System.out.flush();
            }
        }
        server.close();
        meter.close();
        System.exit(0);
    }

    private static long gcMillis() {
        long ms = 0;
        for (java.lang.management.GarbageCollectorMXBean gc
                : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            ms += Math.max(0, gc.getCollectionTime());
        }
        return ms;
    }
}
