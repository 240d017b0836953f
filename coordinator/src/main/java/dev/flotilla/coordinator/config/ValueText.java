package dev.flotilla.coordinator.config;

import dev.flotilla.migrate.url.DatabaseUrl;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How values and text are written into error messages: strings quoted and shortened, other values
 * as HCL writes them, and the password of every URL replaced by {@value DatabaseUrl#MASK}.
 */
final class ValueText {
    private static final int MAX_TEXT = 120;
    private static final int MAX_ITEMS = 5;

    private ValueText() {
    }

    /** A string in double quotes, with control characters escaped and long text cut. */
    static String quote(String raw) {
        String s = redact(raw); // before cutting: a cut could leave a password that no longer looks like one
        StringBuilder b = new StringBuilder("\"");
        int end = Math.min(s.length(), MAX_TEXT);
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (end < s.length()) {
            b.append("…");
        }
        return redact(b.append('"').toString());
    }

    /** A value as HCL would write it: {@code "text"}, {@code 3}, {@code true}, {@code ["a", "b"]}. */
    static String value(Object v) {
        if (v instanceof String) {
            return quote((String) v);
        }
        if (v instanceof BigDecimal) {
            return number((BigDecimal) v);
        }
        if (v instanceof List) {
            List<?> l = (List<?>) v;
            String items = l.stream().limit(MAX_ITEMS).map(ValueText::value).collect(Collectors.joining(", "));
            return "[" + items + (l.size() > MAX_ITEMS ? ", …" : "") + "]";
        }
        if (v instanceof Map) {
            Map<?, ?> m = (Map<?, ?>) v;
            String items = m.entrySet().stream().limit(MAX_ITEMS).map(e -> e.getKey() + " = " + value(e.getValue()))
                    .collect(Collectors.joining(", "));
            return "{" + items + (m.size() > MAX_ITEMS ? ", …" : "") + "}";
        }
        if (v == KnownAtDeployment.VALUE) {
            return "(a value known only at deployment time)";
        }
        return String.valueOf(v);
    }

    /** The HCL type name of a value: string, number, bool, list, object or null. */
    static String type(Object v) {
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof BigDecimal) {
            return "number";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof List) {
            return "list";
        }
        if (v instanceof Map) {
            return "object";
        }
        return v == null ? "null" : "unknown";
    }

    /** A number without exponent or trailing zeros: {@code 3}, {@code 2.5}. */
    static String number(BigDecimal n) {
        return n.stripTrailingZeros().toPlainString();
    }

    /**
     * Masks the password of every {@code scheme://user:password@host} in the text, using
     * {@link DatabaseUrl#redact(String)} on each URL.
     */
    static String redact(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int from = 0;
        int sep;
        while ((sep = text.indexOf("://", from)) >= 0) {
            int start = sep;
            while (start > from && isSchemeChar(text.charAt(start - 1))) {
                start--;
            }
            int end = sep + 3;
            while (end < text.length() && !isUrlEnd(text.charAt(end))) {
                end++;
            }
            out.append(text, from, start).append(DatabaseUrl.redact(text.substring(start, end)));
            from = end;
        }
        return out.append(text.substring(from)).toString();
    }

    private static boolean isSchemeChar(char c) {
        return Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.';
    }

    private static boolean isUrlEnd(char c) {
        return Character.isWhitespace(c) || c == '"' || c == '\'' || c == '`';
    }
}
