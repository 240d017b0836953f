package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;

/**
 * Deployment sets as the server serves them ({@code /api/v1/deployment-sets/{id}}), and the
 * columns Atlas derives from them. A set's targets come in pages of at most 500.
 */
final class DeploymentSets {
    static final String TYPE = "MIGRATION_DIRECTORY";
    static final String MULTIPLE = "(multiple)";
    private static final int TARGET_PAGE = 500;

    private DeploymentSets() {
    }

    static String path(String id) {
        return "/api/v1/deployment-sets/" + ApiClient.encode(id);
    }

    /** The set with at most its first target: enough for progress and for a single target's name. */
    static JsonNode summary(ApiClient api, String id) {
        return api.getJson(path(id) + ApiClient.query("page", "1", "pageSize", "1"));
    }

    /** The set with every target in {@code targets}, reading all pages. */
    static ObjectNode full(ApiClient api, String id) {
        ObjectNode set = (ObjectNode) api.getJson(path(id) + page(1));
        ArrayNode all = JsonNodeFactory.instance.arrayNode();
        set.path("targets").forEach(all::add);
        long total = set.path("targetsPage").path("total").asLong(all.size());
        for (int p = 2; all.size() < total; p++) {
            JsonNode more = api.getJson(path(id) + page(p)).path("targets");
            if (more.size() == 0) {
                break;
            }
            more.forEach(all::add);
        }
        set.set("targets", all);
        return set;
    }

    private static String page(int p) {
        return ApiClient.query("page", Integer.toString(p), "pageSize", Integer.toString(TARGET_PAGE));
    }

    /** The number Atlas shows as the event ID: {@code seq}, else the UUID. */
    static String displayId(JsonNode set) {
        String seq = Table.text(set, "seq");
        return seq != null ? seq : Table.text(set, "id");
    }

    /** The DATABASE column: {@code (multiple)} for several targets, else the one target's name. */
    static String database(JsonNode set) {
        if (set.path("total").asLong() > 1) {
            return MULTIPLE;
        }
        JsonNode targets = set.path("targets");
        return targets.isArray() && targets.size() > 0 ? targetName(targets.get(0)) : Table.NONE;
    }

    /** The TARGETS column: {@code succeeded/total} for several targets, {@code -} for one. */
    static String targetsColumn(JsonNode set) {
        long total = set.path("total").asLong();
        return total > 1 ? set.path("succeeded").asLong() + "/" + total : Table.NONE;
    }

    static String targetName(JsonNode target) {
        String name = Table.text(target, "targetName");
        return name != null ? name : Table.text(target, "targetId");
    }

    /** Whether a target's name contains {@code text}, ignoring case. */
    static boolean anyTargetNamed(JsonNode set, String text) {
        String wanted = text.toLowerCase(Locale.ROOT);
        for (JsonNode t : set.path("targets")) {
            String name = targetName(t);
            if (name != null && name.toLowerCase(Locale.ROOT).contains(wanted)) {
                return true;
            }
        }
        return false;
    }

    /** Atlas' error line for a failed target: {@code Error: sql/migrate: ...}. */
    static String errorLine(JsonNode target) {
        String error = Table.text(target, "error");
        if (error == null) {
            String code = Table.text(target, "errorCode");
            error = "deployment failed" + (code == null ? "" : " (" + code + ")");
        }
        return error.startsWith("Error: ") ? error : "Error: " + error;
    }
}
