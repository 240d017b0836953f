package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.exec.GoDuration;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code migrate apply --env NAME}: asks the Flotilla server to roll the env's registry directory
 * out to every target of the env, follows the deployment set until no target is running, and prints
 * one line per target as Atlas' multi-target apply does, then the set's URL.
 */
final class FleetApply {
    private static final String RUNNING = "RUNNING";

    private final ApiClient api;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Duration poll;
    private final Duration timeout;

    FleetApply(ApiClient api, PrintWriter out, PrintWriter err, Duration poll, Duration timeout) {
        this.api = api;
        this.out = out;
        this.err = err;
        this.poll = poll;
        this.timeout = timeout;
    }

    /**
     * Starts the deployment and, with {@code wait}, follows it.
     *
     * @return the exit code: 1 when the set FAILED or is still running at the timeout, else 0
     */
    int run(String env, String tag, String toVersion, boolean dryRun, boolean wait, boolean json)
            throws InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("env", env);
        body.put("tag", tag);
        if (toVersion != null) {
            body.put("toVersion", toVersion);
        }
        body.put("dryRun", dryRun);
        JsonNode created = api.postJson("/api/v1/deployments", body);
        String id = Table.text(created, "id");
        if (id == null) {
            throw new FlotillaException(ErrorCode.INTERNAL, "Flotilla at " + api.base() + " started a deployment"
                    + " but did not answer its id: " + AtlasJson.write(created));
        }
        String url = api.link(created.hasNonNull("url") ? created.get("url").asText() : "/deployments/sets/" + id);
        if (!wait) {
            out.println("Deployment set " + DeploymentSets.displayId(created) + " started: "
                    + created.path("planned").asLong() + " targets of env \"" + env + "\"");
            out.println(url);
            out.flush();
            return 0;
        }
        if (follow(id, created.path("planned").asLong()) == null) {
            err.println("Error: deployment set " + DeploymentSets.displayId(created) + " is still running after "
                    + GoDuration.format(timeout) + "; follow it at " + url + " or wait longer with --wait-timeout");
            return 1;
        }
        JsonNode set = DeploymentSets.full(api, id);
        if (json) {
            out.println(AtlasJson.write(set));
        } else {
            set.path("targets").forEach(t -> out.println(line(t)));
            out.println(url);
        }
        out.flush();
        return finish(set, url);
    }

    /** Polls until the set is no longer running; null at the timeout. */
    private JsonNode follow(String id, long planned) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long shown = -1;
        while (true) {
            JsonNode set = poll(id);
            if (set != null) {
                long done = set.path("succeeded").asLong() + set.path("failed").asLong();
                long total = set.path("total").asLong();
                if (done != shown) {
                    out.println("Deployment set " + DeploymentSets.displayId(set) + ": " + done + "/" + total
                            + " targets done");
                    out.flush();
                    shown = done;
                }
                if (!RUNNING.equals(Table.text(set, "status")) && total >= planned || stopped(set)) {
                    return set;
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                return null;
            }
            Thread.sleep(poll.toMillis());
        }
    }

    /** The set, or null while the server does not know it yet (its events are still on their way). */
    private JsonNode poll(String id) {
        try {
            return DeploymentSets.summary(api, id);
        } catch (FlotillaException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    /** One target as Atlas prints it, prefixed by the target's name. */
    static String line(JsonNode t) {
        String name = DeploymentSets.targetName(t) + ": ";
        String to = Table.text(t, "toVersion") != null ? Table.text(t, "toVersion") : Table.text(t, "currentVersion");
        String from = Table.text(t, "fromVersion");
        String move = (to == null ? "the latest version" : "version " + to) + (from == null ? "" : " from " + from);
        switch (String.valueOf(Table.text(t, "status"))) {
            case "FAILED":
                return name + DeploymentSets.errorLine(t);
            case "NO_ACTION":
                return name + "No migration files to execute";
            case "PASSED":
                return name + "migrated to " + move;
            case "DRY_RUN":
                return name + "dry run, would migrate to " + move;
            default:
                return name + String.valueOf(Table.text(t, "status")).toLowerCase(Locale.ROOT);
        }
    }

    /** A rollout that paused, halted or was cancelled: no more targets start until someone acts. */
    private static boolean stopped(JsonNode set) {
        String state = Table.text(set, "state");
        return "PAUSED".equals(state) || "HALTED".equals(state) || "CANCELLED".equals(state);
    }

    private int finish(JsonNode set, String url) {
        if (stopped(set)) {
            String id = Table.text(set, "id");
            String reason = Table.text(set, "reason");
            err.println("Error: the rollout of deployment set " + DeploymentSets.displayId(set) + " is "
                    + Table.text(set, "state") + (reason == null ? "" : ": " + reason) + ("PAUSED".equals(
                    Table.text(set, "state")) ? "; go on with 'flotilla rollout resume --set " + id + "'" : "")
                    + "; see " + url);
            err.flush();
            return 1;
        }
        if (!"FAILED".equals(Table.text(set, "status"))) {
            return 0;
        }
        err.println("Error: deployment set " + DeploymentSets.displayId(set) + " failed on "
                + set.path("failed").asLong() + " of " + set.path("total").asLong() + " targets; see " + url);
        err.flush();
        return 1;
    }
}
