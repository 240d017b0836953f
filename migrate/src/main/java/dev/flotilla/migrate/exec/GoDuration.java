package dev.flotilla.migrate.exec;

import java.math.BigDecimal;
import java.time.Duration;

/** Go's {@code time.Duration.String()}, which Atlas prints: {@code 345.458µs}, {@code 3.400333ms}, {@code 1.5s}. */
public final class GoDuration {
    private GoDuration() {
    }

    /** Formats like Go. */
    public static String format(Duration d) {
        long ns = d.toNanos();
        if (ns == 0) {
            return "0s";
        }
        String sign = ns < 0 ? "-" : "";
        ns = Math.abs(ns);
        if (ns < 1_000) {
            return sign + ns + "ns";
        }
        if (ns < 1_000_000) {
            return sign + decimal(ns, 3) + "µs";
        }
        if (ns < 1_000_000_000) {
            return sign + decimal(ns, 6) + "ms";
        }
        long totalSeconds = ns / 1_000_000_000;
        long fraction = ns % 1_000_000_000;
        long h = totalSeconds / 3600;
        long m = (totalSeconds % 3600) / 60;
        String s = decimal((totalSeconds % 60) * 1_000_000_000 + fraction, 9) + "s";
        if (h > 0) {
            return sign + h + "h" + m + "m" + s;
        }
        return sign + (m > 0 ? m + "m" : "") + s;
    }

    private static String decimal(long value, int scale) {
        return BigDecimal.valueOf(value, scale).stripTrailingZeros().toPlainString();
    }
}
