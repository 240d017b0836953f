package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.exec.PreparedDirectory.PreparedFile;

import java.util.ArrayList;
import java.util.List;

/** Turns a plan into what {@code migrate status} shows. */
final class StatusMaker {
    private StatusMaker() {
    }

    static StatusReport make(Plan plan) {
        List<Revision> executed = new ArrayList<>(plan.revisions().values());
        Revision last = executed.isEmpty() ? null : executed.get(executed.size() - 1);
        List<ApplyResult.FileRef> pending = new ArrayList<>();
        for (PreparedFile f : plan.pending()) {
            pending.add(new ApplyResult.FileRef(f.name(), f.version(), f.file().description()));
        }
        boolean partial = last != null && last.partial();
        String error = null;
        String errorStmt = null;
        for (Revision r : executed) {
            if (r.error() != null) {
                error = r.error();
                errorStmt = r.errorStmt();
            }
        }
        return new StatusReport(pending.isEmpty() ? "OK" : "PENDING", last == null ? null : last.version(),
                pending.isEmpty() ? null : pending.get(0).version(), executed, pending, plan.outOfOrder().size(),
                partial, partial ? last.applied() : 0, error, errorStmt);
    }
}
