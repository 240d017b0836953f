package dev.flotilla.migrate.url;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the secrets in URLs and replaces them with {@value DatabaseUrl#MASK}: the password of the
 * user info and the value of every query parameter whose name speaks of a password, a secret or a
 * token ({@code password}, {@code sslpassword}, Connector/J's {@code password1} and
 * {@code trustCertificateKeyStorePassword}, MariaDB's {@code keyStorePassword}, …).
 *
 * <p>When unsure it masks more, never less: the password runs from the first {@code :} of the user
 * info to the last {@code @} of the URL, so a raw {@code / ? # @ %} in it is masked too; a
 * {@code user:} followed by something that is not a port and no {@code @} at all is a password
 * cut short (a truncated message) and is masked to the end of the URL.
 */
final class Redactor {
    /** Query parameter names whose values are secrets. */
    private static final Pattern SECRET_PARAM = Pattern.compile("(?i).*(pass|pwd|secret|token).*");
    /** What starts the next parameter of a query: {@code &name=}. */
    private static final Pattern NEXT_PARAM = Pattern.compile("&[A-Za-z_][A-Za-z0-9_.%-]*=");

    private Redactor() {
    }

    /** Masks every {@code scheme://…} URL in free text; a URL ends at white space or a quote. */
    static String text(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int from = 0;
        int sep;
        while ((sep = text.indexOf("://", from)) >= 0) {
            int start = sep;
            while (start > from && isSchemeChar(text.charAt(start - 1))) {
                start--;
            }
            int end = sep + 3;
            while (end < text.length() && !endsUrl(text.charAt(end))) {
                end++;
            }
            out.append(text, from, start).append(url(text.substring(start, end)));
            from = end;
        }
        return out.append(text, from, text.length()).toString();
    }

    /** Masks the secrets of one URL, the whole string: white space and quotes in it are its own. */
    static String url(String url) {
        int sep = url.indexOf("://");
        int authority = sep < 0 ? 0 : sep + 3;
        int at = url.lastIndexOf('@');
        int colon = sep < 0 ? -1 : passwordColon(url, authority);
        int passwordEnd = passwordEnd(url, colon, at);
        int rest = passwordEnd < 0 ? authority : passwordEnd;
        String head = passwordEnd < 0 ? url.substring(0, authority) : url.substring(0, colon + 1) + DatabaseUrl.MASK;
        int query = url.indexOf('?', Math.max(rest, at));
        return query < 0 ? head + url.substring(rest)
                : head + url.substring(rest, query + 1) + maskQuery(url.substring(query + 1));
    }

    /**
     * Where the password after {@code colon} ends: at the last {@code @}; at the end of the URL when
     * there is no {@code @} and what follows the colon is no port (a password cut short); -1 when
     * there is no password.
     */
    private static int passwordEnd(String url, int colon, int at) {
        if (colon < 0) {
            return -1;
        }
        if (at > colon) {
            return at;
        }
        return isPort(url, colon + 1) ? -1 : url.length();
    }

    /**
     * The {@code :} that separates user and password, or -1: the first {@code :} of the authority,
     * when no {@code / ? # @ [} comes before it (then it would be a port, a path or an IPv6 host).
     */
    private static int passwordColon(String url, int authority) {
        for (int i = authority; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == ':') {
                return i;
            }
            if (c == '/' || c == '?' || c == '#' || c == '@' || c == '[') {
                return -1;
            }
        }
        return -1;
    }

    /**
     * Whether a port (digits, possibly none) starts at {@code from}, ending the authority or
     * followed by the punctuation of a sentence ({@code http://127.0.0.1:8080: refused}). Digits
     * followed by anything else, a truncation mark included ({@code …}, {@code ...}), are taken
     * for a password cut short.
     */
    private static boolean isPort(String url, int from) {
        int i = from;
        while (i < url.length() && Character.isDigit(url.charAt(i))) {
            i++;
        }
        return i == url.length() || "/?#:,;)]>".indexOf(url.charAt(i)) >= 0;
    }

    /**
     * Masks the values of secret parameters. A value runs to the next {@code &name=}, so a raw
     * {@code &} or {@code #} in a password does not end it.
     */
    private static String maskQuery(String query) {
        StringBuilder out = new StringBuilder(query.length());
        int from = 0;
        while (from <= query.length()) {
            Matcher next = NEXT_PARAM.matcher(query);
            int end = next.find(from) ? next.start() : query.length();
            out.append(maskParam(query.substring(from, end)));
            if (end == query.length()) {
                break;
            }
            out.append('&');
            from = end + 1;
        }
        return out.toString();
    }

    private static String maskParam(String param) {
        int eq = param.indexOf('=');
        if (eq < 0) {
            return param;
        }
        String name = param.substring(0, eq);
        boolean secret = SECRET_PARAM.matcher(name).matches()
                || SECRET_PARAM.matcher(lenientDecode(name)).matches();
        return secret ? name + "=" + DatabaseUrl.MASK : param;
    }

    /** Percent-decodes what it can; a malformed escape is kept as written. */
    private static String lenientDecode(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && hex(s, i + 1)) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    private static boolean hex(String s, int at) {
        return at + 1 < s.length() && Character.digit(s.charAt(at), 16) >= 0
                && Character.digit(s.charAt(at + 1), 16) >= 0;
    }

    private static boolean isSchemeChar(char c) {
        return c < 0x80 && (Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.');
    }

    private static boolean endsUrl(char c) {
        return Character.isWhitespace(c) || c == '"' || c == '\'' || c == '`' || c == '<' || c == '>';
    }
}
