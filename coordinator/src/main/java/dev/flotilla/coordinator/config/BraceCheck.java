package dev.flotilla.coordinator.config;

import dev.flotilla.migrate.FlotillaException;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that braces, brackets, parentheses, strings, comments and heredocs of an HCL file are
 * closed, before hcl4j reads it: hcl4j's lexer silently drops a block whose closing brace is
 * missing, which would make an env disappear instead of failing with the line to fix.
 */
final class BraceCheck {
    /** Marks a {@code ${…}} or {@code %{…}} inside a string on the stack. */
    private static final char INTERPOLATION = '$';
    private static final Pattern HEREDOC = Pattern.compile("<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \\t]*\\r?\\n");

    private final String text;
    private final SourceFile file;
    private final Deque<int[]> open = new ArrayDeque<>(); // {char, line}
    private int line = 1;
    private int pos;
    private boolean inString;
    private int stringLine;

    private BraceCheck(String text, SourceFile file) {
        this.text = text;
        this.file = file;
    }

    /** @throws FlotillaException CONFIG_INVALID naming the line of the first unbalanced construct */
    static void check(String text, SourceFile file) {
        new BraceCheck(text, file).run();
    }

    private void run() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\n') {
                if (inString) {
                    throw error(stringLine, "a string is not closed before the end of the line; add the closing \"");
                }
                line++;
                pos++;
            } else if (inString) {
                stringChar(c);
            } else {
                codeChar(c);
            }
        }
        if (inString) {
            throw error(stringLine, "a string is not closed; add the closing \"");
        }
        if (!open.isEmpty()) {
            int[] first = open.peekLast();
            throw error(first[1], "'" + opener(first[0]) + "' is never closed; add the matching '"
                    + closer(first[0]) + "'");
        }
    }

    private void stringChar(char c) {
        if (c == '\\') {
            pos += 2;
        } else if (c == '"') {
            inString = false;
            pos++;
        } else if ((c == '$' || c == '%') && next(1) == c && next(2) == '{') {
            pos += 3; // $${ and %%{ are literal
        } else if ((c == '$' || c == '%') && next(1) == '{') {
            open.push(new int[] {INTERPOLATION, line});
            inString = false;
            pos += 2;
        } else {
            pos++;
        }
    }

    private void codeChar(char c) {
        if (c == '#' || (c == '/' && next(1) == '/')) {
            while (pos < text.length() && text.charAt(pos) != '\n') {
                pos++;
            }
        } else if (c == '/' && next(1) == '*') {
            blockComment();
        } else if (c == '"') {
            inString = true;
            stringLine = line;
            pos++;
        } else if (c == '<' && next(1) == '<') {
            heredoc();
        } else if (c == '{' || c == '[' || c == '(') {
            open.push(new int[] {c, line});
            pos++;
        } else if (c == '}' || c == ']' || c == ')') {
            close(c);
            pos++;
        } else {
            pos++;
        }
    }

    private void close(char c) {
        if (open.isEmpty()) {
            throw error(line, "'" + c + "' has no matching opening '" + (c == '}' ? '{' : c == ']' ? '[' : '(')
                    + "'; remove it or add the missing opening");
        }
        int[] top = open.pop();
        if (closer(top[0]) != c) {
            throw error(line, "'" + c + "' closes '" + opener(top[0]) + "' opened at line " + top[1] + "; add the missing '"
                    + closer(top[0]) + "' before it");
        }
        if (top[0] == INTERPOLATION) {
            inString = true;
        }
    }

    private void blockComment() {
        int start = line;
        int end = text.indexOf("*/", pos + 2);
        if (end < 0) {
            throw error(start, "a /* comment is never closed; add */");
        }
        countLines(pos, end);
        pos = end + 2;
    }

    private void heredoc() {
        Matcher m = HEREDOC.matcher(text).region(pos, text.length());
        if (!m.lookingAt()) {
            pos += 2;
            return;
        }
        int start = line;
        String marker = m.group(1);
        int lineStart = m.end();
        line++;
        while (lineStart < text.length()) {
            int eol = text.indexOf('\n', lineStart);
            int lineEnd = eol < 0 ? text.length() : eol;
            if (text.substring(lineStart, lineEnd).trim().equals(marker)) {
                pos = lineEnd;
                return;
            }
            if (eol < 0) {
                break;
            }
            line++;
            lineStart = eol + 1;
        }
        throw error(start, "the heredoc <<" + marker + " is never closed; end it with a line containing only " + marker);
    }

    private void countLines(int from, int to) {
        for (int i = from; i < to; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
    }

    private char next(int ahead) {
        int i = pos + ahead;
        return i < text.length() ? text.charAt(i) : '\0';
    }

    private static String opener(int c) {
        return c == INTERPOLATION ? "${" : String.valueOf((char) c);
    }

    private static char closer(int c) {
        return c == '[' ? ']' : c == '(' ? ')' : '}';
    }

    private FlotillaException error(int at, String problem) {
        return file.invalid(at, "syntax", problem);
    }
}
