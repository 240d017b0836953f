package dev.flotilla.migrate.exec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

/**
 * Atlas' {@code partial_hashes}: for statement i, {@code "h1:" + base64(SHA-256 over the texts of
 * statements 0..i)}, one running hasher per file. Stored as a JSON array of strings.
 */
final class PartialHashes {
    private PartialHashes() {
    }

    /** The running hash after each statement. */
    static List<String> of(List<String> statements) {
        MessageDigest sha = sha256();
        List<String> out = new ArrayList<>(statements.size());
        for (String s : statements) {
            sha.update(s.getBytes(StandardCharsets.UTF_8));
            out.add("h1:" + Base64.getEncoder().encodeToString(digestCopy(sha)));
        }
        return Collections.unmodifiableList(out);
    }

    private static byte[] digestCopy(MessageDigest sha) {
        try {
            return ((MessageDigest) sha.clone()).digest();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digest is not cloneable", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** JSON array text, or null for a null/empty list (Atlas writes null once a file completes). */
    static String toJson(List<String> hashes) {
        if (hashes == null || hashes.isEmpty()) {
            return null;
        }
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < hashes.size(); i++) {
            b.append(i == 0 ? "" : ",").append('"').append(hashes.get(i)).append('"');
        }
        return b.append(']').toString();
    }

    /** Parses the JSON array Atlas or we wrote; the values are base64 with no escapes. */
    static List<String> fromJson(String json) {
        if (json == null || json.isBlank() || "null".equals(json.trim())) {
            return null;
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        while ((i = json.indexOf('"', i)) >= 0) {
            int end = json.indexOf('"', i + 1);
            if (end < 0) {
                break;
            }
            out.add(json.substring(i + 1, end));
            i = end + 1;
        }
        return Collections.unmodifiableList(out);
    }
}
