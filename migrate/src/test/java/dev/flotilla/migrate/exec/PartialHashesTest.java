package dev.flotilla.migrate.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PartialHashesTest {
    private static final List<String> HASHES = List.of("h1:qQizl39ePMIqnMlV2dmBA8eooK5zghkUbROL+68YSnc=",
            "h1:Z/2jK3Jd0tHvsLJ2bXy7b9A3C4eGaMs8XsZ3i2XkLxw=");

    @Test
    void writesACompactArrayAsAtlasDoes() {
        assertThat(PartialHashes.toJson(HASHES)).isEqualTo("[\"" + HASHES.get(0) + "\",\"" + HASHES.get(1) + "\"]");
    }

    @Test
    void writesNullForNoHashes() {
        assertThat(PartialHashes.toJson(null)).isNull();
        assertThat(PartialHashes.toJson(List.of())).isNull();
    }

    @Test
    void readsWhatItWritesAndWhatTheDatabasesGiveBack() {
        String compact = PartialHashes.toJson(HASHES);
        String spaced = "[\"" + HASHES.get(0) + "\", \"" + HASHES.get(1) + "\"]";

        assertThat(PartialHashes.fromJson(compact)).isEqualTo(HASHES);
        assertThat(PartialHashes.fromJson(spaced)).isEqualTo(HASHES);
        assertThat(PartialHashes.fromJson("[]")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "null", " null "})
    void readsNothingAsNull(String text) {
        assertThat(PartialHashes.fromJson(text)).isNull();
        assertThat(PartialHashes.fromJson(null)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1}", "[\"h1:x\", 3]", "[\"h1:x\"", "[\"h1:x\"] x", "h1:x"})
    void refusesTextThatIsNotAnArrayOfStrings(String text) {
        assertThatThrownBy(() -> PartialHashes.fromJson(text)).isInstanceOf(FlotillaException.class)
                .hasMessageContaining("partial_hashes " + text + " in atlas_schema_revisions is not a JSON array")
                .satisfies(e -> assertThat(((FlotillaException) e).code()).isEqualTo(ErrorCode.REVISIONS_INVALID));
    }
}
