package dev.flotilla.migrate.exec;

import org.junit.jupiter.api.Test;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GoTimeTest {
    @Test
    void readsBackWhatItWritesToTheNanosecond() {
        for (Instant at : new Instant[] {Instant.parse("2026-11-23T23:59:01.123456789Z"),
                Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-02-28T12:30:45.5Z"),
                Instant.parse("1999-12-31T23:59:59.000001Z")}) {
            String written = GoTime.format(at);
            assertThat(GoTime.parse(written)).as(written).isEqualTo(at);
        }
        assertThat(GoTime.format(Instant.parse("2026-11-23T23:59:01.120Z"))).isEqualTo("2026-11-23 23:59:01.12+00:00");
    }

    @Test
    void readsTheFormsGoAndAtlasWriteAsTheFormatterDoes() {
        String[] forms = {"2026-11-23 23:59:01+00:00", "2026-11-23T23:59:01Z", "2026-11-23 23:59:01.5Z",
            "2026-11-23 23:59:01.123456789+02:00", "2026-11-23 23:59:01.1-05:30", "2026-11-23T01:02:03.000000001Z",
            "2026-11-23 24:00:00+00:00", "2026-11-23 23:59:01.+00:00", "2026-02-30 00:00:00+00:00"};
        // the last three: as lenient as the formatter (end of day, a bare point, a day clamped to the month)
        for (String v : forms) {
            Instant expected = OffsetDateTime.parse(v.replace('T', ' ').replace("Z", "+00:00"), GoTime.FORMAT).toInstant();
            assertThat(GoTime.parse(v)).as(v).isEqualTo(expected);
        }
    }

    @Test
    void refusesWhatIsNotATime() {
        for (String v : new String[] {"2026-13-01 00:00:00+00:00",
            "2026-11-23 23:59:01.1234567891+00:00", "2026-11-23 23:59:01",
            "2026-11-23 23:59:01 +0000 UTC", "2026-11-23 23:59:01.00000000\u0663+00:00", "yesterday, around noon"}) {
            assertThatThrownBy(() -> GoTime.parse(v)).as(v).isInstanceOf(DateTimeException.class);
        }
    }
}
