package dev.flotilla.migrate.dir;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code atlas:} directives exactly as Atlas' {@code sql/migrate/dir.go} and {@code lex.go} do.
 *
 * <ul>
 *   <li>A directive is a line matching {@code ^([ -~]*)atlas:(\w+)(?: +(.+))*}: any printable-ASCII
 *       prefix, the name, then arguments up to the end of the line.</li>
 *   <li><b>File directives</b> ({@code txmode}, {@code checkpoint}, {@code sensitive}) are read from
 *       the leading block of lines that start with {@code --} or {@code #} (no indentation). The block
 *       counts only when it is followed by a line that is empty or holds only spaces/tabs, or when it
 *       is the whole file and ends in a newline; otherwise the comments belong to the first statement.
 *       A {@code \r\n} file therefore has no file directives (Atlas does the same).</li>
 *   <li>{@code sum ignore} only has to be the <em>first line</em> of the file, with any prefix and no
 *       blank line ({@code NewHashFile}).</li>
 *   <li>{@code delimiter} only has to be the first line and its prefix must be exactly {@code "-- "}
 *       ({@code Scanner.init}).</li>
 * </ul>
 */
final class DirectiveParser {
    static final String TXMODE = "txmode";
    static final String SUM = "sum";
    static final String SUM_IGNORE = "ignore";
    static final String DELIMITER = "delimiter";
    static final String CHECKPOINT = "checkpoint";
    static final String SENSITIVE = "sensitive";
    private static final String DELIMITER_PREFIX = "-- ";

    /** Atlas' {@code reDirective}; Go's {@code .} excludes only {@code \n}, hence {@code [^\n]}. */
    private static final Pattern DIRECTIVE = Pattern.compile("^([ -~]*)atlas:(\\w+)(?: +([^\\n]+))*");

    private DirectiveParser() {
    }

    /** Parses all directives of {@code text}; {@code fileName} is used in error messages only. */
    static Directives parse(String fileName, String text) {
        List<String> comments = fileComments(text);
        List<String> checkpoints = fileDirective(comments, CHECKPOINT);
        boolean checkpoint = !checkpoints.isEmpty();
        String tag = checkpoint && !checkpoints.get(0).isEmpty() ? checkpoints.get(0) : null;
        return new Directives(txMode(fileName, fileDirective(comments, TXMODE)), isSumIgnore(text),
                delimiter(fileName, text), !fileDirective(comments, SENSITIVE).isEmpty(), checkpoint, tag);
    }

    /** Whether the first line of {@code content} is an {@code atlas:sum ignore} directive. */
    static boolean isSumIgnore(String content) {
        String args = directive(content, SUM, null);
        return SUM_IGNORE.equals(args);
    }

    /**
     * Atlas' {@code directive(content, name, prefix...)}: the arguments ({@code ""} when none) when
     * the first line of {@code content} is the directive {@code name}, otherwise null. A non-null
     * {@code prefix} must equal the text before {@code atlas:}.
     */
    static String directive(String content, String name, String prefix) {
        Matcher m = DIRECTIVE.matcher(content);
        if (!m.find() || !m.group(2).equals(name) || (prefix != null && !prefix.equals(m.group(1)))) {
            return null;
        }
        return m.group(3) == null ? "" : m.group(3);
    }

    /** The arguments of every file directive {@code name}, in file order. */
    static List<String> fileDirective(List<String> comments, String name) {
        List<String> found = new ArrayList<>();
        for (String comment : comments) {
            String args = directive(comment, name, null);
            if (args != null) {
                found.add(args);
            }
        }
        return found;
    }

    /** Atlas' {@code LocalFile.comments()}: the detached leading comment lines, trimmed. */
    static List<String> fileComments(String content) {
        List<String> comments = new ArrayList<>();
        int pos = 0;
        while (content.startsWith("#", pos) || content.startsWith("--", pos)) {
            int newline = content.indexOf('\n', pos);
            if (newline == -1) {
                comments.add(content.substring(pos));
                break;
            }
            comments.add(goTrimSpace(content.substring(pos, newline)));
            pos = newline + 1;
        }
        boolean atEnd = pos == content.length();
        return atEnd || startsWithBlankLine(content, pos) ? comments : List.of();
    }

    private static boolean startsWithBlankLine(String content, int pos) {
        int i = pos;
        while (i < content.length() && (content.charAt(i) == ' ' || content.charAt(i) == '\t')) {
            i++;
        }
        return i < content.length() && content.charAt(i) == '\n';
    }

    private static TxMode txMode(String fileName, List<String> values) {
        if (values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw invalid("migration file \"" + fileName + "\" sets atlas:txmode " + values.size()
                    + " times " + values + "; keep a single '-- atlas:txmode none' or '-- atlas:txmode file' line");
        }
        TxMode mode = TxMode.lookup(values.get(0));
        if (mode == TxMode.ALL) {
            throw invalid("migration file \"" + fileName + "\" sets '-- atlas:txmode all', which is only allowed "
                    + "globally (--tx-mode all); use 'file' or 'none' in a file");
        }
        if (mode == null) {
            throw invalid("migration file \"" + fileName + "\" has an unknown atlas:txmode \"" + values.get(0)
                    + "\"; use '-- atlas:txmode none' or '-- atlas:txmode file'");
        }
        return mode;
    }

    private static String delimiter(String fileName, String content) {
        String args = directive(content, DELIMITER, DELIMITER_PREFIX);
        if (args == null) {
            return null;
        }
        if (args.isEmpty()) {
            throw invalid("migration file \"" + fileName + "\" has an atlas:delimiter directive without a "
                    + "delimiter; write e.g. '-- atlas:delimiter //' on the first line");
        }
        return args.replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t");
    }

    /** Go's {@code strings.TrimSpace}: trims Unicode White_Space, which differs from {@link String#strip()}. */
    static String goTrimSpace(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isGoSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isGoSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isGoSpace(char c) {
        switch (c) {
            case '\t', '\n', '\u000B', '\f', '\r', ' ', '\u0085', '\u00A0':
                return true;
            default:
                return c > '\u00FF' && Character.isSpaceChar(c);
        }
    }

    private static FlotillaException invalid(String message) {
        return new FlotillaException(ErrorCode.DIRECTORY_INVALID, message);
    }
}
