package dev.flotilla.coordinator.config;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

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

    @Test
    void keepsNumbersAsWrittenAndObjectsInDocumentOrder() {
        Object v = Json.parse("{\"b\": 2.50, \"a\": 123456789012345678901234567890, \"b\": 1e3}");

        assertThat(v).asInstanceOf(InstanceOfAssertFactories.map(String.class, Object.class)).containsExactly(
                entry("b", new BigDecimal("1e3")), entry("a", new BigDecimal("123456789012345678901234567890")));
        assertThat(Json.parse("[2.50]")).isEqualTo(List.of(new BigDecimal("2.50")));
    }

    @Test
    void hostileNestingIsRefusedNamingTheLimit() {
        String deep = "[".repeat(1001) + "]".repeat(1001);

        assertThatThrownBy(() -> Json.parse(deep)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid JSON at line 1 column 1002: Document nesting depth (1001) exceeds the maximum"
                        + " allowed (1000)");
    }

    @Test
    void problemsAreSaidInOurWordsWithoutJacksonsSourceLocations() {
        assertThatThrownBy(() -> Json.parse("{\"a\": 1]")).hasMessage("invalid JSON at line 1 column 8: unmatched"
                + " closing bracket");
        assertThatThrownBy(() -> Json.parse("[1, 2")).hasMessage("invalid JSON at line 1 column 6: unexpected end of"
                + " text");
        assertThatThrownBy(() -> Json.parse(" ")).hasMessage("invalid JSON at line 1 column 2: unexpected end of text,"
                + " expected a value");
        assertThatThrownBy(() -> Json.parse("[NaN]")).hasMessage("invalid JSON at line 1 column 5: expected a value");
    }
}
