package dev.flotilla.coordinator.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the JSON of {@code jsondecode(...)} and of {@code --var} list and object values, with
 * Jackson, into the values the evaluator works with: objects become unmodifiable {@link Map}s in
 * document order (a repeated key keeps its last value), arrays unmodifiable {@link List}s, numbers
 * {@link BigDecimal}s written as in the text, {@code true}/{@code false} {@link Boolean}s and
 * {@code null} null. Only strict JSON is accepted: no comments, single quotes or {@code NaN}.
 *
 * <p>What hostile JSON can do is bounded by Jackson's {@link StreamReadConstraints} defaults,
 * which we keep: nesting at most 1000 deep, numbers at most 1000 digits, strings at most 20
 * million characters. The text itself is already in memory when it gets here.
 */
final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS, DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();
    /** Jackson's wording → ours, first match wins; other problems keep Jackson's wording. */
    private static final List<Map.Entry<String, String>> PROBLEMS = List.of(
            Map.entry("closing quote for a string value", "unterminated string"),
            Map.entry("end-of-input", "unexpected end of text"),
            Map.entry("expected a valid value", "expected a value"),
            Map.entry("Unrecognized token", "expected a value"),
            Map.entry("Non-standard token", "expected a value"),
            Map.entry("comma to separate", "expected ','"),
            Map.entry("colon to separate", "expected ':'"),
            Map.entry("double-quote to start field name", "expected a \"key\""),
            Map.entry("Unexpected close marker", "unmatched closing bracket"),
            Map.entry("has to be escaped", "control character in a string; escape it"),
            Map.entry("character escape", "invalid escape"));
    /** The parts of Jackson's messages that speak of its own source locations, settings and methods. */
    private static final Pattern JACKSON_DETAIL =
            Pattern.compile(" \\((for|start marker at) .*$|: enable `.*$|, from `[^`]*`");
    private static final String JSON_SPACE = " \t\r\n";
    private static final String NUMBER_CHARS = "0123456789.eE+-";

    private Json() {
    }

    /**
     * Parses one JSON value, with nothing but white space around it.
     *
     * @param text the JSON; not null
     * @return a String, BigDecimal, Boolean, List, Map, or null for JSON {@code null}
     * @throws IllegalArgumentException {@code invalid JSON at line L column C: <problem>}, e.g.
     *     {@code expected ','}, {@code invalid number 01} or {@code unterminated string}
     */
    static Object parse(String text) {
        try (JsonParser parser = MAPPER.createParser(text)) {
            return read(parser, text);
        } catch (JsonProcessingException e) {
            throw invalid(text, e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading JSON from a string failed", e);
        }
    }

    private static Object read(JsonParser parser, String text) throws IOException {
        if (parser.nextToken() == null) {
            throw invalid(text, text.length(), "unexpected end of text, expected a value");
        }
        Object value;
        try {
            value = MAPPER.readValue(parser, Object.class);
        } catch (StreamConstraintsException e) {
            throw invalid(text, offset(parser), problem(e.getOriginalMessage()));
        }
        int after = skipSpace(text, offset(parser));
        if (after < text.length()) {
            throw invalid(text, after, "unexpected text after the JSON value");
        }
        return hclValue(value);
    }

    /** Jackson's untyped result as the evaluator's values: BigDecimal numbers, unmodifiable collections. */
    private static Object hclValue(Object v) {
        if (v instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(item -> out.add(hclValue(item)));
            return Collections.unmodifiableList(out);
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((key, item) -> out.put((String) key, hclValue(item)));
            return Collections.unmodifiableMap(out);
        }
        return v;
    }

    private static IllegalArgumentException invalid(String text, JsonProcessingException e) {
        String message = e.getOriginalMessage();
        int at = e.getLocation() == null ? 0 : (int) e.getLocation().getCharOffset();
        if (message.contains("numeric value")) {
            int start = numberStart(text, at);
            return invalid(text, start, "invalid number " + text.substring(start, numberEnd(text, start)));
        }
        return invalid(text, at, problem(message));
    }

    private static String problem(String jacksonMessage) {
        return PROBLEMS.stream().filter(p -> jacksonMessage.contains(p.getKey())).map(Map.Entry::getValue).findFirst()
                .orElseGet(() -> JACKSON_DETAIL.matcher(jacksonMessage).replaceAll(""));
    }

    /** Jackson reports a bad number somewhere inside it; the message shows it from its first character. */
    private static int numberStart(String text, int at) {
        int start = Math.min(at, text.length());
        while (start > 0 && NUMBER_CHARS.indexOf(text.charAt(start - 1)) >= 0) {
            start--;
        }
        return start;
    }

    private static int numberEnd(String text, int start) {
        int end = start;
        while (end < text.length() && NUMBER_CHARS.indexOf(text.charAt(end)) >= 0) {
            end++;
        }
        return end;
    }

    private static int offset(JsonParser parser) {
        return (int) parser.currentLocation().getCharOffset();
    }

    private static int skipSpace(String text, int from) {
        int at = from;
        while (at < text.length() && JSON_SPACE.indexOf(text.charAt(at)) >= 0) {
            at++;
        }
        return at;
    }

    private static IllegalArgumentException invalid(String text, int offset, String problem) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < Math.min(offset, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new IllegalArgumentException("invalid JSON at line " + line + " column " + column + ": " + problem);
    }
}
