package dev.flotilla.coordinator.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Atlas' URL functions ({@code urlsetpath}, {@code urlqueryset}, {@code urluserinfo}) with the
 * results Go's {@code net/url} gives: the query is re-encoded with its keys sorted, the user
 * information and path are percent-encoded the way {@code url.URL.String()} does.
 */
final class GoUrl {
    private final String scheme;
    private final String userinfo; // raw (encoded), null when absent
    private final String host; // raw
    private final String path; // raw (encoded)
    private final String query; // raw, null when absent
    private final String fragment; // raw, null when absent

    private GoUrl(String scheme, String userinfo, String host, String path, String query, String fragment) {
        this.scheme = scheme;
        this.userinfo = userinfo;
        this.host = host;
        this.path = path;
        this.query = query;
        this.fragment = fragment;
    }

    /** @throws IllegalArgumentException when the text has no {@code scheme://} */
    static GoUrl parse(String url) {
        int sep = url.indexOf("://");
        if (sep <= 0) {
            throw new IllegalArgumentException(ValueText.quote(url) + " is not a URL; write it as scheme://host/…, e.g."
                    + " postgres://user@host:5432/db");
        }
        String rest = url.substring(sep + 3);
        String fragment = null;
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            fragment = rest.substring(hash + 1);
            rest = rest.substring(0, hash);
        }
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String authority = slash >= 0 ? rest.substring(0, slash) : rest;
        String path = slash >= 0 ? rest.substring(slash) : "";
        int at = authority.lastIndexOf('@');
        String userinfo = at >= 0 ? authority.substring(0, at) : null;
        String host = at >= 0 ? authority.substring(at + 1) : authority;
        return new GoUrl(url.substring(0, sep), userinfo, host, path, query, fragment);
    }

    /** Go: {@code u.Path = path}. */
    GoUrl withPath(String newPath) {
        return new GoUrl(scheme, userinfo, host, escape(newPath, Mode.PATH), query, fragment);
    }

    /** Go: {@code q := u.Query(); q.Set(key, value); u.RawQuery = q.Encode()}. */
    GoUrl withQueryParameter(String key, String value) {
        Map<String, List<String>> params = new TreeMap<>(parseQuery(query == null ? "" : query));
        params.put(key, List.of(value));
        List<String> pairs = new ArrayList<>();
        params.forEach((k, values) -> values.forEach(v -> pairs.add(escape(k, Mode.QUERY) + "=" + escape(v, Mode.QUERY))));
        return new GoUrl(scheme, userinfo, host, path, String.join("&", pairs), fragment);
    }

    /** Go: {@code u.User = url.UserPassword(user, pass)}, or {@code url.User(user)} when pass is null. */
    GoUrl withUserinfo(String user, String password) {
        String info = escape(user, Mode.USERINFO) + (password == null ? "" : ":" + escape(password, Mode.USERINFO));
        return new GoUrl(scheme, info, host, path, query, fragment);
    }

    /** Go's {@code url.URL.String()}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(scheme).append("://");
        if (userinfo != null) {
            b.append(userinfo).append('@');
        }
        b.append(host);
        if (!path.isEmpty() && !path.startsWith("/") && !host.isEmpty()) {
            b.append('/');
        }
        b.append(path);
        if (query != null && !query.isEmpty()) {
            b.append('?').append(query);
        }
        if (fragment != null) {
            b.append('#').append(fragment);
        }
        return b.toString();
    }

    /** Go's {@code url.ParseQuery}, keeping the order of first appearance; bad escapes are dropped. */
    private static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = unescape(eq >= 0 ? pair.substring(0, eq) : pair);
            String v = unescape(eq >= 0 ? pair.substring(eq + 1) : "");
            if (k != null && v != null) {
                out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            }
        }
        return out;
    }

    /** Go's {@code url.QueryUnescape}; null when the escape is malformed. */
    private static String unescape(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                out.write(' ');
            } else if (c == '%') {
                if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0
                        || Character.digit(s.charAt(i + 2), 16) < 0) {
                    return null;
                }
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    bytes = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private enum Mode { PATH, QUERY, USERINFO }

    /** Go's {@code url.escape} with its {@code shouldEscape} rules for the three modes used here. */
    private static String escape(String s, Mode mode) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c == ' ' && mode == Mode.QUERY) {
                b.append('+');
            } else if (shouldEscape(c, mode)) {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            } else {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    private static boolean shouldEscape(int c, Mode mode) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return false;
        }
        if ("-_.~".indexOf(c) >= 0) {
            return false;
        }
        if ("$&+,/:;=?@".indexOf(c) >= 0) {
            switch (mode) {
                case PATH:
                    return c == '?';
                case USERINFO:
                    return c == '@' || c == '/' || c == '?' || c == ':';
                default:
                    return true;
            }
        }
        return true;
    }
}
