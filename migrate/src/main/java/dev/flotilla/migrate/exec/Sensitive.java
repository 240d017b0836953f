package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.sql.Dialect;
import dev.flotilla.migrate.sql.Literals;
import dev.flotilla.migrate.sql.Literals.Literal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Masks the values of {@code -- atlas:sensitive} files wherever a statement or its failure is
 * shown, logged, reported or stored: each string literal of the statement becomes
 * {@value #PLACEHOLDER}, as Atlas does, and each of their values becomes {@value #MASKED_VALUE} in
 * the database's error text, which echoes them ({@code Duplicate entry 'secret' for key …},
 * {@code invalid input syntax for type integer: "secret"}, {@code Key (v)=(secret) already exists.}).
 * Literals are found with the dialect's rules ({@link Literals}).
 */
public final class Sensitive {
    /** What a masked literal looks like. */
    public static final String PLACEHOLDER = "'(sensitive)'";
    /** What a masked value in an error text looks like (the text keeps its own quotes). */
    public static final String MASKED_VALUE = "(sensitive)";
    /**
     * How much of a long value, at least, marks a cut-short echo of it: MySQL prints at most 64 to
     * 192 characters of an entry ({@code %-.192s}), so a value longer than this is also masked where
     * the error shows only its beginning.
     */
    private static final int PREFIX = 16;

    private Sensitive() {
    }

    /** The statement with every string literal replaced by {@value #PLACEHOLDER}. */
    public static String mask(String statement, Dialect dialect) {
        StringBuilder out = new StringBuilder(statement.length());
        int from = 0;
        for (Literal l : Literals.find(statement, dialect)) {
            out.append(statement, from, l.start()).append(PLACEHOLDER);
            from = l.end();
        }
        return out.append(statement, from, statement.length()).toString();
    }

    /**
     * The database's error text for {@code statement} with every value of the statement's string
     * literals replaced by {@value #MASKED_VALUE}, and the rest of the text kept. A value counts
     * where it stands on its own (not inside a longer word), in any letter case, and, when it is
     * long, also where only its beginning is shown.
     */
    public static String maskError(String errorText, String statement, Dialect dialect) {
        if (errorText == null) {
            return null;
        }
        String out = errorText;
        for (String value : values(statement, dialect)) {
            out = maskValue(out, value);
        }
        return out;
    }

    /** The literals' values and raw texts, longest first, so that no value is masked only in part. */
    private static List<String> values(String statement, Dialect dialect) {
        Set<String> values = new LinkedHashSet<>();
        for (Literal l : Literals.find(statement, dialect)) {
            values.add(l.value());
            values.add(l.raw());
        }
        values.remove("");
        List<String> sorted = new ArrayList<>(values);
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        return sorted;
    }

    private static String maskValue(String text, String value) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            int matched = matchAt(text, i, value);
            if (matched > 0) {
                out.append(MASKED_VALUE);
                i += matched;
            } else {
                out.append(text.charAt(i++));
            }
        }
        return out.toString();
    }

    /**
     * How many chars of {@code text} at {@code at} show {@code value}: all of it standing alone,
     * or at least {@value #PREFIX} of its first chars where it was cut short; else 0.
     */
    private static int matchAt(String text, int at, String value) {
        if (at > 0 && isWordChar(text.charAt(at - 1)) && isWordChar(value.charAt(0))) {
            return 0;
        }
        int n = 0;
        while (n < value.length() && at + n < text.length()
                && text.regionMatches(true, at + n, value, n, 1)) {
            n++;
        }
        if (n == value.length()) {
            boolean alone = at + n == text.length() || !isWordChar(text.charAt(at + n))
                    || !isWordChar(value.charAt(n - 1));
            return alone ? n : 0;
        }
        return n >= PREFIX ? n : 0;
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
