package dev.flotilla.aggregator;

import dev.flotilla.protocol.avro.DeploymentSetCreated;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationProgress;
import dev.flotilla.protocol.avro.MigrationResult;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts a batch into segments that may be applied phase by phase (all set events, then all
 * commands, then all progress events, then all results) with the same outcome as applying the
 * events one after the other.
 *
 * <p>Phases reorder events, and the views' guards do not make every reordering harmless: a command
 * and a result of one target write different columns of its {@code agg_databases} row, so a
 * command of set B that comes after a result of set A must not be applied before it. A segment
 * therefore never holds an event that an earlier event of the same set or target would follow in
 * phase order; when one comes, a new segment starts. A rollout's batches (command, progress,
 * result of each target, in that order) stay one segment.
 */
final class Segments {
    /** Phases, in the order {@link JdbcViewWriter} applies them. */
    static final int SET = 1;
    static final int ENSURE_SET = 2;
    static final int COMMAND = 3;
    static final int PROGRESS = 4;
    static final int RESULT = 5;

    private Segments() {
    }

    /** Indices into {@code events}, in order, cut where phase order would differ from the events' order. */
    static List<List<Integer>> split(List<?> events) {
        List<List<Integer>> out = new ArrayList<>();
        Map<String, Integer> latest = new HashMap<>();
        List<Integer> current = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            Object e = events.get(i);
            if (goesBack(latest, e)) {
                out.add(current);
                current = new ArrayList<>();
                latest.clear();
            }
            keys(e, (key, phase) -> latest.merge(key, phase, Math::max));
            current.add(i);
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    private static boolean goesBack(Map<String, Integer> latest, Object e) {
        boolean[] back = {false};
        keys(e, (key, phase) -> back[0] |= latest.getOrDefault(key, 0) > phase);
        return back[0];
    }

    /** The sets and targets an event writes, with the phase it writes them in. */
    private static void keys(Object e, Key key) {
        if (e instanceof DeploymentSetCreated) {
            key.of("s:" + ((DeploymentSetCreated) e).getDeploymentSetId(), SET);
        } else if (e instanceof MigrationCommand) {
            MigrationCommand m = (MigrationCommand) e;
            key.of("s:" + m.getDeploymentSetId(), ENSURE_SET);
            key.of("t:" + m.getTargetId(), COMMAND);
        } else if (e instanceof MigrationProgress) {
            key.of("t:" + ((MigrationProgress) e).getTargetId(), PROGRESS);
        } else if (e instanceof MigrationResult) {
            MigrationResult r = (MigrationResult) e;
            key.of("s:" + r.getDeploymentSetId(), ENSURE_SET);
            key.of("t:" + r.getTargetId(), RESULT);
        }
    }

    /** Receives one key of an event. */
    @FunctionalInterface
    private interface Key {
        void of(String key, int phase);
    }
}
