package dev.flotilla.migrate.exec;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;

/**
 * A {@code time.Time} as Go's SQLite drivers store it, which Atlas reads back:
 * {@code 2026-11-23 23:59:01.123456789+00:00}. Every run reads each revision row's
 * {@code executed_at}: through {@link DateTimeFormatter} that was a fifth of a worker thread's CPU
 * on a SQLite fleet (JFR), so the form written here is read by hand and anything else by the
 * formatter.
 */
final class GoTime {
    static final DateTimeFormatter FORMAT = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
            .appendPattern("xxx")
            .toFormatter();

    private GoTime() {
    }

    static String format(Instant at) {
        return FORMAT.format(OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
    }

    /**
     * Reads {@code yyyy-MM-dd HH:mm:ss[.fraction]} followed by {@code +hh:mm} or {@code Z}, with
     * {@code T} or a space between date and time.
     *
     * @throws DateTimeException when it is neither that nor anything the formatter reads
     */
    static Instant parse(String v) {
        Instant fast = fast(v);
        return fast != null ? fast
                : OffsetDateTime.parse(v.replace('T', ' ').replace("Z", "+00:00"), FORMAT).toInstant();
    }

    /** The usual form, or null for the formatter to decide. */
    private static Instant fast(String v) {
        int n = v.length();
        if (n < 20 || v.charAt(4) != '-' || v.charAt(7) != '-' || (v.charAt(10) != ' ' && v.charAt(10) != 'T')
                || v.charAt(13) != ':' || v.charAt(16) != ':') {
            return null;
        }
        int year = digits(v, 0, 4);
        int month = digits(v, 5, 2);
        int day = digits(v, 8, 2);
        int hour = digits(v, 11, 2);
        int minute = digits(v, 14, 2);
        int second = digits(v, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (v.charAt(i) == '.') {
            int start = ++i;
            while (i < n && i - start < 9 && v.charAt(i) >= '0' && v.charAt(i) <= '9') {
                nanos = nanos * 10 + (v.charAt(i++) - '0');
            }
            if (i == start) {
                return null;
            }
            for (int k = i - start; k < 9; k++) {
                nanos *= 10;
            }
        }
        int offset;
        if (i == n - 1 && v.charAt(i) == 'Z') {
            offset = 0;
        } else if (i == n - 6 && (v.charAt(i) == '+' || v.charAt(i) == '-') && v.charAt(i + 3) == ':') {
            int h = digits(v, i + 1, 2);
            int m = digits(v, i + 4, 2);
            if ((h | m) < 0) {
                return null;
            }
            offset = (v.charAt(i) == '-' ? -1 : 1) * (h * 3600 + m * 60);
        } else {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nanos)
                    .toInstant(ZoneOffset.ofTotalSeconds(offset));
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** The number in {@code v[from, from + count)}, or -1 when a character is not an ASCII digit. */
    private static int digits(String v, int from, int count) {
        int out = 0;
        for (int i = from; i < from + count; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            out = out * 10 + (c - '0');
        }
        return out;
    }
}
