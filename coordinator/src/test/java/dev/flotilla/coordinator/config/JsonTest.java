package dev.flotilla.coordinator.config;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {
    @Test
    void readsArraysObjectsStringsNumbersAndLiterals() {
        Object v = Json.parse(" [\"tenant_1\", \"t\\u00e9\\n\", 2, -1.5e2, true, null, {\"k\": []}] ");

        assertThat(v).isEqualTo(java.util.Arrays.asList("tenant_1", "té\n", new BigDecimal("2"), new BigDecimal("-1.5e2"),
                true, null, Map.of("k", List.of())));
    }

    @Test
    void errorsNameLineAndColumn() {
        assertThatThrownBy(() -> Json.parse("[\"a\",\n  ]")).hasMessage("invalid JSON at line 2 column 3: expected a value");
        assertThatThrownBy(() -> Json.parse("[\"a\"] x")).hasMessage("invalid JSON at line 1 column 7: unexpected text"
                + " after the JSON value");
        assertThatThrownBy(() -> Json.parse("[01]")).hasMessage("invalid JSON at line 1 column 2: invalid number 01");
        assertThatThrownBy(() -> Json.parse("\"open")).hasMessage("invalid JSON at line 1 column 6: unterminated string");
    }
}
