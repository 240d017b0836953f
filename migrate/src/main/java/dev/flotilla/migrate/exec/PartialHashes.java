package dev.flotilla.migrate.exec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
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
    /** Thread-safe once configured; the default writes no whitespace, as Atlas does. */
    private static final JsonFactory JSON = new JsonFactory();

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

    /**
     * The JSON array Atlas stores, e.g. {@code ["h1:…","h1:…"]} (no spaces, as Go's encoding/json
     * writes it), or null for a null or empty list (Atlas writes null once a file completes).
     */
    static String toJson(List<String> hashes) {
        if (hashes == null || hashes.isEmpty()) {
            return null;
        }
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartArray();
            for (String hash : hashes) {
                json.writeString(hash);
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to a StringWriter failed", e);
        }
        return out.toString();
    }

    /**
     * Parses the column as Atlas or we wrote it, or as the database gives it back (MySQL and jsonb
     * put a space after each comma).
     *
     * @return the hashes, unmodifiable; null for SQL NULL, JSON {@code null} or an empty text
     * @throws FlotillaException with {@code REVISIONS_INVALID} when the text is not a JSON array of strings
     */
    static List<String> fromJson(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try (JsonParser json = JSON.createParser(text)) {
            JsonToken first = json.nextToken();
            if (first == JsonToken.VALUE_NULL) {
                return null;
            }
            if (first != JsonToken.START_ARRAY) {
                throw notAnArray(text, null);
            }
            List<String> out = new ArrayList<>();
            while (json.nextToken() == JsonToken.VALUE_STRING) {
                out.add(json.getText());
            }
            if (json.currentToken() != JsonToken.END_ARRAY || json.nextToken() != null) {
                throw notAnArray(text, null);
            }
            return Collections.unmodifiableList(out);
        } catch (IOException e) {
            throw notAnArray(text, e);
        }
    }

    private static FlotillaException notAnArray(String text, IOException cause) {
        return new FlotillaException(ErrorCode.REVISIONS_INVALID, "partial_hashes " + text + " in "
                + TargetDialect.TABLE + " is not a JSON array of strings such as [\"h1:…\"]; restore the row from a"
                + " backup, or set the column to NULL to resume the file from its first statement", cause);
    }
}
