package dev.flotilla.cli;

import dev.flotilla.migrate.exec.ApplyListener;
import dev.flotilla.migrate.exec.ApplyResult;
import dev.flotilla.migrate.exec.FileResult;
import dev.flotilla.migrate.exec.GoDuration;
import dev.flotilla.migrate.exec.PreparedDirectory.PreparedFile;

import java.io.PrintWriter;
import java.util.List;

/** Prints an apply as it runs, in the shape of Atlas' {@code migrate apply} output. */
final class ApplyPrinter implements ApplyListener {
    private final PrintWriter out;

    ApplyPrinter(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void planned(String current, String target, List<PreparedFile> pending) {
        if (pending.isEmpty()) {
            return;
        }
        out.println("Migrating to version " + target + (current == null ? "" : " from " + current) + " ("
                + pending.size() + " migrations in total):");
        out.flush();
    }

    @Override
    public void fileStarted(PreparedFile file) {
        out.println();
        out.println("  -- migrating version " + file.version());
        out.flush();
    }

    @Override
    public void statementStarted(PreparedFile file, String shownText) {
        out.println("    -> " + shownText.replace("\n", "\n       "));
        out.flush();
    }

    @Override
    public void fileFinished(FileResult r) {
        if (r.error() != null) {
            out.println("    " + r.error().text());
        } else {
            out.println("  -- ok (" + GoDuration.format(r.duration()) + ")");
        }
        out.flush();
    }

    /** The closing totals, or Atlas' line for nothing to do. */
    void summary(ApplyResult r) {
        if (r.pending().isEmpty()) {
            out.println(r.baselined() ? "Baseline version " + r.current() + " recorded; no migration files to"
                    + " execute" : "No migration files to execute");
            out.flush();
            return;
        }
        int files = r.applied().size();
        int stmts = 0;
        for (FileResult f : r.applied()) {
            stmts += f.applied().size();
        }
        out.println();
        out.println("  -------------------------");
        out.println("  -- " + GoDuration.format(r.duration()));
        if (r.error() != null) {
            out.println("  -- " + plural(files - 1, "migration") + " ok, 1 with errors");
            out.println("  -- " + plural(stmts - 1, "sql statement") + " ok, 1 with errors");
        } else {
            out.println("  -- " + plural(files, "migration"));
            out.println("  -- " + plural(stmts, "sql statement"));
        }
        out.flush();
    }

    private static String plural(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
