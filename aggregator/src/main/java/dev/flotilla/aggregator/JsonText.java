package dev.flotilla.aggregator;

import io.vertx.core.json.JsonArray;

import java.util.List;

/** JSON text for jsonb columns. */
final class JsonText {
    private JsonText() {
    }

    static String array(List<String> values) {
        return new JsonArray(List.copyOf(values)).encode();
    }
}
