package dev.flotilla.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.exec.ApplyResult;
import dev.flotilla.migrate.exec.FileResult;
import dev.flotilla.migrate.exec.Revision;
import dev.flotilla.migrate.exec.StatusReport;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON output with the field names of Atlas' {@code --format '{{ json . }}'}. */
final class AtlasJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private AtlasJson() {
    }

    static boolean wanted(String format) {
        return format != null && (format.equalsIgnoreCase("json") || format.replace(" ", "").equals("{{json.}}"));
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** Parses a JSON answer of the Flotilla server; an empty body is an empty object. */
    static JsonNode read(byte[] body) {
        if (body.length == 0) {
            return MAPPER.createObjectNode();
        }
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "the Flotilla server answered with invalid JSON ("
                    + e.getMessage().lines().findFirst().orElse("") + "); check that the server URL points at"
                    + " Flotilla", e);
        }
    }

    /** Like {@link #read(byte[])}, but null when the body is not JSON. */
    static JsonNode readOrNull(byte[] body) {
        try {
            return body.length == 0 ? null : MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code --format} is either absent or asks for JSON; anything else is refused. */
    static boolean requested(String format) {
        if (format == null || wanted(format)) {
            return format != null;
        }
        throw new FlotillaException(ErrorCode.CONFIG_INVALID, "unsupported --format \"" + format
                + "\": use json or '{{ json . }}', or leave it out for the table");
    }

    static Map<String, Object> apply(ApplyResult r, String dir) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Driver", r.dialect().toLowerCase(java.util.Locale.ROOT));
        m.put("URL", r.url());
        m.put("Dir", dir);
        m.put("TargetID", r.targetId());
        List<Object> pending = new ArrayList<>();
        r.pending().forEach(f -> pending.add(ref(f.name(), f.version(), f.description())));
        m.put("Pending", pending);
        List<Object> applied = new ArrayList<>();
        r.applied().forEach(f -> applied.add(file(f)));
        m.put("Applied", applied);
        m.put("Current", r.current());
        m.put("Target", r.target());
        m.put("Start", time(r.start()));
        m.put("End", time(r.end()));
        m.put("Status", r.status());
        m.put("Error", r.error());
        return m;
    }

    private static Map<String, Object> file(FileResult f) {
        Map<String, Object> m = ref(f.name(), f.version(), f.description());
        m.put("Start", time(f.start()));
        m.put("End", time(f.end()));
        m.put("Skipped", f.skipped());
        m.put("Applied", f.applied());
        if (f.error() != null) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("Stmt", f.error().stmt());
            e.put("Text", f.error().text());
            m.put("Error", e);
        }
        return m;
    }

    static Map<String, Object> status(StatusReport s, String driver, String url, String dir, int available) {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("Driver", driver);
        env.put("URL", url);
        env.put("Dir", dir);
        m.put("Env", env);
        m.put("Available", available);
        m.put("OutOfOrder", s.outOfOrder());
        List<Object> pending = new ArrayList<>();
        s.pending().forEach(f -> pending.add(ref(f.name(), f.version(), f.description())));
        m.put("Pending", pending);
        List<Object> applied = new ArrayList<>();
        s.executed().forEach(r -> applied.add(revision(r)));
        m.put("Applied", applied);
        m.put("Current", s.current());
        m.put("Next", s.next());
        m.put("Count", s.partial() ? s.partialApplied() : 0);
        m.put("Total", s.executed().size());
        m.put("Status", s.status());
        m.put("Error", s.error());
        m.put("SQL", s.errorStmt());
        return m;
    }

    private static Map<String, Object> revision(Revision r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Version", r.version());
        m.put("Description", r.description());
        m.put("Type", r.typeName());
        m.put("Applied", r.applied());
        m.put("Total", r.total());
        m.put("ExecutedAt", time(r.executedAt()));
        m.put("ExecutionTime", r.executionTime());
        m.put("Error", r.error());
        m.put("ErrorStmt", r.errorStmt());
        m.put("Hash", r.hash());
        m.put("OperatorVersion", r.operatorVersion());
        return m;
    }

    private static Map<String, Object> ref(String name, String version, String description) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", name);
        m.put("Version", version);
        m.put("Description", description);
        return m;
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }
}
