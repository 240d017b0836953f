package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.exec.PreparedDirectory.PreparedFile;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Computes the {@link Plan} the way Atlas' executor picks pending files. */
final class Planner {
    /** Finds the first user object of a database that has no revisions; may touch the database. */
    interface CleanCheck {
        Optional<String> firstUserObject() throws java.sql.SQLException;
    }

    private Planner() {
    }

    static Plan plan(PreparedDirectory dir, List<Revision> rows, ApplyOptions o, CleanCheck clean, boolean status)
            throws java.sql.SQLException {
        Map<String, Revision> revs = new LinkedHashMap<>();
        String last = null;
        String lastComplete = null;
        for (Revision r : rows) {
            if (!Revision.CLOUD_IDENTIFIER.equals(r.version())) {
                revs.put(r.version(), r);
                last = r.version();
                if (!r.partial()) {
                    lastComplete = r.version();
                }
            }
        }
        if (revs.isEmpty()) {
            return fresh(dir, o, clean, status);
        }
        List<PreparedFile> pending = new ArrayList<>();
        List<PreparedFile> outOfOrder = new ArrayList<>();
        for (PreparedFile f : dir.files()) {
            Revision r = revs.get(f.version());
            if (r != null) {
                if (r.partial()) {
                    pending.add(f);
                }
            } else if (!f.file().directives().checkpoint()) {
                if (f.version().compareTo(last) < 0) {
                    outOfOrder.add(f);
                    if (o.execOrder() == ExecOrder.NON_LINEAR || status) {
                        pending.add(f);
                    } else if (o.execOrder() == ExecOrder.LINEAR) {
                        throw nonLinear(f, last);
                    }
                } else {
                    pending.add(f);
                }
            }
        }
        return new Plan(revs, lastComplete, limit(pending, o), outOfOrder, null);
    }

    private static Plan fresh(PreparedDirectory dir, ApplyOptions o, CleanCheck clean, boolean status)
            throws java.sql.SQLException {
        List<PreparedFile> files = dir.files();
        Revision baseline = null;
        if (o.baseline() != null) {
            baseline = baselineRow(dir, o);
            List<PreparedFile> after = new ArrayList<>();
            for (PreparedFile f : files) {
                if (f.version().compareTo(o.baseline()) > 0) {
                    after.add(f);
                }
            }
            files = after;
        } else {
            if (!o.allowDirty() && !status) {
                Optional<String> found = clean.firstUserObject();
                if (found.isPresent()) {
                    throw new FlotillaException(ErrorCode.DATABASE_NOT_CLEAN, "sql/migrate: connected database is"
                            + " not clean: found " + found.get() + ". baseline version or allow-dirty is required"
                            + " (pass --baseline <version> if the database already has the schema of the files"
                            + " up to <version>, or --allow-dirty to run every file on it)");
                }
            }
            files = fromLastCheckpoint(files);
        }
        return new Plan(Map.of(), null, limit(files, o), List.of(), baseline);
    }

    private static Revision baselineRow(PreparedDirectory dir, ApplyOptions o) {
        PreparedFile f = dir.file(o.baseline());
        if (f == null) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "baseline version \"" + o.baseline()
                    + "\" is not a file of the migration directory; pick one of its versions (latest is \""
                    + dir.latestVersion() + "\")");
        }
        return new Revision(f.version(), f.file().description(), Revision.BASELINE, 0, 0, Instant.now(), 0, null,
                null, f.hash(), null, o.operatorVersion());
    }

    /** A fresh database starts at the last checkpoint file, skipping everything before it. */
    private static List<PreparedFile> fromLastCheckpoint(List<PreparedFile> files) {
        for (int i = files.size() - 1; i >= 0; i--) {
            if (files.get(i).file().directives().checkpoint()) {
                return files.subList(i, files.size());
            }
        }
        return files;
    }

    private static List<PreparedFile> limit(List<PreparedFile> pending, ApplyOptions o) {
        List<PreparedFile> out = new ArrayList<>();
        for (PreparedFile f : pending) {
            if (o.amount() > 0 && out.size() == o.amount()) {
                break;
            }
            // A cap, in Atlas' file order: a version past it never runs, also when no file has the cap's version.
            if (o.toVersion() != null && f.version().compareTo(o.toVersion()) > 0) {
                break;
            }
            out.add(f);
        }
        return out;
    }

    private static FlotillaException nonLinear(PreparedFile f, String last) {
        return new FlotillaException(ErrorCode.HISTORY_NON_LINEAR, "sql/migrate: migration file \"" + f.name()
                + "\" (version \"" + f.version() + "\") is pending but the database is already at version \""
                + last + "\": files run in version order. Rename the file to a version after \"" + last
                + "\" and run 'flotilla migrate hash', or pass --exec-order linear-skip to skip it"
                + " (non-linear runs it anyway)");
    }
}
