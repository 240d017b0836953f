package dev.flotilla.migrate.sql;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A port of Atlas' {@code Scanner} ({@code sql/migrate/lex.go}); method names follow Atlas' where
 * they correspond. The state mirrors Go's: the unscanned input is {@code src[start:]}, {@code pos}
 * the offset of the scan within it, {@code total} everything ever consumed. Offsets are UTF-16
 * chars where Go counts bytes; every decision depends on ASCII characters only, so the texts are
 * the same (the one place where Go's byte counts leak, a block body starting with a directive
 * line, is computed in bytes).
 *
 * <p>Deliberate differences: the SQL Server options (GO, BEGIN TRY, T-SQL terminators) are left
 * out; {@code BEGIN} block scans are memoized per offset ({@link BlockBodies}) (Atlas rescans, which is exponential in
 * the number of failed {@code BEGIN} guesses); an unterminated block comment or dollar quote fails
 * when {@link LexOptions#rejectUnterminated()} is set. Atlas' {@code EscapedStringExt} (PostgreSQL
 * {@code E'...'}) is not ported because it never takes effect in Atlas: it looks at the char before
 * the scan position, which is always the opening quote.
 */
final class Lexer {
    private static final int EOS = -1;
    /** Go's {@code \s}: ASCII only, and without {@code \v} unlike Java's. */
    private static final String WS = "[\\t\\n\\f\\r ]";
    /**
     * Atlas' {@code ^\$([A-Za-zÈ-ÿ_][\wÈ-ÿ]*)*\$}, rewritten without the nested quantifier;
     * {@link Literals} shares it.
     */
    static final Pattern DOLLAR_QUOTE =
            Pattern.compile("\\$(?:[A-Za-z\\x{C8}-\\x{FF}_][\\w\\x{C8}-\\x{FF}]*+)?\\$");
    private static final Pattern BEGIN_ATOMIC =
            Pattern.compile("(?i)" + WS + "*+BEGIN" + WS + "++ATOMIC" + WS + "++");
    private static final Pattern BEGIN = Pattern.compile("(?i)" + WS + "*+BEGIN" + WS + "++");
    /** Atlas' {@code reEnd}: {@code (?i)^\s*END\s*}. */
    static final Pattern END = Pattern.compile("(?i)" + WS + "*+END" + WS + "*+");

    /** A statement: its text as Atlas emits it and the offset in the file where that text starts. */
    record Token(String text, int offset) {
    }

    private final String src;
    private final LexOptions opts;
    /** Shared by a lexer and the lexers of its block bodies. */
    private final BlockBodies bodies;
    /** Reject unterminated block comments and dollar quotes; never in block bodies, to scan those like Atlas. */
    private final boolean strict;
    private final Matcher dollarQuote;
    private final Matcher beginAtomic;
    private final Matcher begin;
    private int start;
    private int pos;
    private int width;
    private int total;
    private int depth;
    private int openingPos;
    private String delim = Delimiters.DEFAULT;
    private String directive;
    private int directiveLength;

    /** A lexer for a whole file. */
    Lexer(String src, LexOptions opts) {
        this(src, opts, null, 0, opts.rejectUnterminated());
    }

    /** A lexer for the block body at {@code start}; it scans exactly like Atlas. */
    Lexer(String src, LexOptions opts, BlockBodies bodies, int start) {
        this(src, opts, bodies, start, false);
    }

    private Lexer(String src, LexOptions opts, BlockBodies bodies, int start, boolean strict) {
        this.src = src;
        this.opts = opts;
        this.bodies = bodies != null ? bodies : new BlockBodies(src, opts);
        this.start = start;
        this.strict = strict;
        this.dollarQuote = DOLLAR_QUOTE.matcher(src);
        this.beginAtomic = BEGIN_ATOMIC.matcher(src);
        this.begin = BEGIN.matcher(src);
    }

    /**
     * Atlas' {@code init}: an {@code -- atlas:delimiter} directive at the start of the input sets
     * the delimiter, and its line is skipped.
     */
    void init() {
        directive = Delimiters.directiveAt(src, start);
        if (directive == null) {
            return;
        }
        setDelim(directive, start, "the '-- atlas:delimiter' directive");
        int newline = src.indexOf('\n', start);
        if (newline < 0) {
            throw new LexError(start, "the file has nothing after its '-- atlas:delimiter' directive",
                    "add the statements on the following lines, or remove the directive");
        }
        directiveLength = newline + 1 - start;
        start = newline + 1;
    }

    /** The raw argument of the directive {@link #init()} found, or null. */
    String directive() {
        return directive;
    }

    /** Sets the delimiter as given, without unescaping. */
    void useDelimiter(String d) {
        if (d.isEmpty()) {
            throw new LexError(start, "the delimiter given for the file is empty",
                    "pass null for the default ';' or a non-empty delimiter");
        }
        delim = d;
    }

    /** Atlas' {@code stmt}: the next statement, or null at the end of the input. */
    Token stmt() {
        depth = 0;
        openingPos = 0;
        skipSpaces();
        while (true) {
            int r = next();
            if (r == EOS) {
                return endOfInput();
            }
            if (endsStatement(r)) {
                return emit();
            }
        }
    }

    private Token endOfInput() {
        if (depth > 0) {
            throw new LexError(start + openingPos - 1, "the '(' opened here is never closed",
                    "add the missing ')'");
        }
        return pos > 0 ? emit() : null;
    }

    /** One round of the switch in Atlas' {@code stmt}, in its order: true if the statement ends. */
    private boolean endsStatement(int r) {
        if (r == '(' || r == ')') {
            paren(r);
            return false;
        }
        if (r == '\'' || r == '"' || r == '`') {
            skipQuote(r);
            return false;
        }
        if (atDelimiterCommand()) {
            delimCmd();
            skipSpaces();
            return false;
        }
        // Delimiters take precedence over comments.
        if (depth == 0 && src.startsWith(delim, start + pos - width)) {
            addPos(delim.length() - width);
            return true;
        }
        return !skipCommentOrDollarQuote(r) && block();
    }

    private void paren(int r) {
        if (r == '(') {
            if (depth == 0) {
                openingPos = pos;
            }
            depth++;
            return;
        }
        if (depth == 0) {
            throw new LexError(start + pos - 1, "this ')' has no matching '('",
                    "remove it or add the missing '('");
        }
        depth--;
    }

    private boolean skipCommentOrDollarQuote(int r) {
        if (opts.matchDollarQuote() && r == '$' && matchLength(dollarQuote, pos - 1) > 0) {
            skipDollarQuote();
        } else if (r == '#' && opts.hashComments()) {
            comment("#", "\n");
        } else if (r == '-' && pick() == '-') {
            next();
            comment("--", "\n");
        } else if (r == '/' && pick() == '*') {
            next();
            comment("/*", "*/");
        } else {
            return false;
        }
        return true;
    }

    private int next() {
        int at = start + pos;
        if (at >= src.length()) {
            return EOS;
        }
        int r = src.codePointAt(at);
        width = Character.charCount(r);
        addPos(width);
        return r;
    }

    private int pick() {
        int p = pos;
        int w = width;
        int t = total;
        int r = next();
        pos = p;
        width = w;
        total = t;
        return r;
    }

    private void addPos(int p) {
        pos += p;
        total += p;
    }

    private void skipQuote(int quote) {
        int opened = start + pos - 1;
        while (true) {
            int r = next();
            if (r == EOS) {
                throw new LexError(opened, "the quote " + Character.toString(quote) + " opened here is never"
                        + " closed", "close it (to use it inside the quoted text, write it twice)");
            }
            if (r == '\\' && opts.backslashEscapes()) {
                next();
            } else if (r == quote) {
                return;
            }
        }
    }

    private void skipDollarQuote() {
        int opened = start + pos - 1;
        int length = matchLength(dollarQuote, pos - 1);
        String tag = src.substring(opened, opened + length);
        int close = src.indexOf(tag, opened + length);
        if (close < 0 && strict && startsToken(opened)) {
            throw new LexError(opened, "the dollar quote " + tag + " opened here is never closed",
                    "end the quoted body with " + tag);
        }
        // Atlas scans on to the end of the input when the quote is not closed.
        int end = close < 0 ? src.length() : close + length;
        addPos(end - (start + pos));
    }

    /** Whether a '$' at offset starts a token for PostgreSQL, rather than continuing a name like a$b$. */
    private boolean startsToken(int offset) {
        if (offset == 0) {
            return true;
        }
        char c = src.charAt(offset - 1);
        return !(Character.isLetterOrDigit(c) || c == '_' || c == '$' || c >= 0x80);
    }

    /**
     * Atlas' {@code comment}: skips a comment; one that starts the statement is dropped from its
     * text. A comment without its end is not a comment for Atlas.
     */
    private void comment(String left, String right) {
        int at = start + pos;
        int close = src.indexOf(right, at);
        if (close < 0) {
            rejectUnterminatedComment(left, at - left.length());
            return;
        }
        boolean leading = pos == left.length();
        addPos(close + right.length() - at);
        if (leading) {
            start += pos;
            pos = 0;
            skipSpaces();
        }
    }

    private void rejectUnterminatedComment(String left, int opened) {
        if ("/*".equals(left) && strict) {
            throw new LexError(opened, "the comment /* opened here is never closed", "end it with */");
        }
    }

    /** Go's {@code strings.TrimLeftFunc(s.input, unicode.IsSpace)}: like Atlas, trims the input, not at pos. */
    private void skipSpaces() {
        while (start < src.length() && GoText.isSpace(src.codePointAt(start))) {
            int w = Character.charCount(src.codePointAt(start));
            start += w;
            total += w;
        }
    }

    /** Atlas' {@code emit}: the statement is the input up to pos. */
    private Token emit() {
        String text = src.substring(start, Math.min(start + pos, src.length()));
        int offset = start + GoText.leadingSpace(text);
        start += pos;
        pos = 0;
        // A custom delimiter is not part of the statement.
        if (!Delimiters.DEFAULT.equals(delim) && text.endsWith(delim)) {
            text = text.substring(0, text.length() - delim.length());
        }
        return new Token(GoText.trimSpace(text), offset);
    }

    /** The MySQL client's {@code DELIMITER} command can only start a statement. */
    private boolean atDelimiterCommand() {
        return pos == 1 && src.length() - start > Delimiters.COMMAND.length()
                && GoText.startsWithIgnoreCase(src, start, Delimiters.COMMAND);
    }

    /** Atlas' {@code delimCmd}: sets the delimiter named by the rest of the line and drops the line. */
    private void delimCmd() {
        addPos(Delimiters.COMMAND.length() - 1);
        if (pick() != ' ') {
            return;
        }
        int r = pick();
        while (r != EOS && r != '\n') {
            r = next();
        }
        String rest = src.substring(start + Delimiters.COMMAND.length(), start + pos);
        String arg = Delimiters.commandArgument(rest);
        if (arg == null) {
            throw new LexError(start, "the DELIMITER command names the delimiter ' (a lone quote)",
                    "use another delimiter such as //");
        }
        setDelim(arg, start, "the DELIMITER command");
        emit();
    }

    private void setDelim(String d, int offset, String origin) {
        if (d.isEmpty()) {
            throw new LexError(offset, origin + " names no delimiter", "write one after it, e.g. //");
        }
        delim = Delimiters.unescape(d);
    }

    /** The {@code BEGIN ATOMIC} and {@code BEGIN} cases of Atlas' {@code stmt}, only with the default delimiter. */
    private boolean block() {
        if (!Delimiters.DEFAULT.equals(delim)) {
            return false;
        }
        if (opts.matchBeginAtomic() && matchLength(beginAtomic, pos - 1) >= 0) {
            return skipBlock(beginAtomic, true);
        }
        // Either the statement starts with BEGIN, or at least one space precedes it.
        if (opts.matchBegin() && (pos == 1 && matchLength(begin, 0) >= 0
                || pos > 1 && matchLength(begin, pos - 2) >= 0)) {
            return skipBlock(begin, false);
        }
        return false;
    }

    /**
     * Atlas' {@code skipBeginAtomic} and {@code skipBegin}: true when the block was consumed up to
     * its {@code END}. Like Atlas, a failed attempt keeps the scan past the {@code BEGIN} word.
     */
    private boolean skipBlock(Matcher opening, boolean atomic) {
        int length = matchLength(opening, pos - 1);
        if (length < 0) {
            return false;
        }
        addPos(length - 1);
        int body = bodies.length(start + pos, atomic);
        if (body < 0) {
            return false;
        }
        addPos(body);
        return true;
    }

    /**
     * The chars a parent skips for this block body: Atlas adds the body's {@code total}, a byte
     * count that leaves out a directive line the body's {@code init} stripped, so the parent then
     * stops short of the END by that many bytes.
     */
    int skipLength(int from) {
        if (directiveLength == 0) {
            return total;
        }
        long bytes = GoText.utf8Length(src, from, start + pos)
                - GoText.utf8Length(src, from, from + directiveLength);
        return GoText.charsForUtf8(src, from, bytes);
    }

    /** The length of the match of {@code m} at {@code src[start + from:]}, or -1. */
    private int matchLength(Matcher m, int from) {
        int at = start + from;
        m.region(at, src.length());
        return m.lookingAt() ? m.end() - at : -1;
    }
}
