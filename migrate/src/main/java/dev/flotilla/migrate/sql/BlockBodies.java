package dev.flotilla.migrate.sql;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * The bodies of {@code BEGIN ... END} and {@code BEGIN ATOMIC ... END} blocks, scanned like Atlas'
 * {@code skipBegin} and {@code skipBeginAtomic}: with a fresh lexer, statement by statement, until
 * the {@code END} statement. Results are kept per offset: Atlas rescans the rest of the file for
 * every {@code BEGIN} it guesses, recursively, which is exponential in the failed guesses.
 */
final class BlockBodies {
    private final Map<Long, Integer> lengths = new HashMap<>();
    private final String src;
    private final LexOptions opts;

    BlockBodies(String src, LexOptions opts) {
        this.src = src;
        this.opts = opts;
    }

    /**
     * How many chars the block body starting at {@code from} spans up to its {@code END}, as Atlas
     * counts them, or -1 when there is no body (no {@code END}, or an error before it).
     */
    int length(int from, boolean atomic) {
        Long key = (long) from << 1 | (atomic ? 1 : 0);
        Integer known = lengths.get(key);
        if (known == null) {
            known = scan(from, atomic);
            lengths.put(key, known);
        }
        return known;
    }

    private int scan(int from, boolean atomic) {
        Lexer body = new Lexer(src, opts, this, from);
        try {
            body.init();
            for (Lexer.Token t = body.stmt(); t != null; t = body.stmt()) {
                if (atomic ? Lexer.END.matcher(t.text()).lookingAt() : isEnd(t.text())) {
                    return body.skipLength(from);
                }
            }
        } catch (LexError notABlock) {
            // Atlas scans on as if there was no BEGIN.
        }
        return -1;
    }

    /** {@code END} alone or followed by the default delimiter (blocks are only seen with it). */
    private static boolean isEnd(String text) {
        Matcher m = Lexer.END.matcher(text);
        return m.lookingAt() && (m.end() == text.length() || text.substring(m.end()).equals(Delimiters.DEFAULT));
    }
}
