package dev.flotilla.fabric.access;

import dev.flotilla.migrate.Hashes;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * API token text: {@code flt_} followed by 40 random base62 characters (238 bits) and a 6-character
 * base62 CRC32 of them, the shape GitHub uses so that secret scanners can recognise a token by its
 * prefix and rule out look-alikes by the checksum. Only the SHA-256 of a token is ever stored.
 */
public final class Tokens {
    /** Every Flotilla token starts with this. */
    public static final String PREFIX = "flt_";
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int RANDOM_CHARS = 40;
    private static final int CHECK_CHARS = 6;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    /** A new token; shown to its creator once, never stored. */
    public static String generate() {
        StringBuilder b = new StringBuilder(PREFIX);
        for (int i = 0; i < RANDOM_CHARS; i++) {
            b.append(BASE62.charAt(RANDOM.nextInt(BASE62.length())));
        }
        String body = b.substring(PREFIX.length());
        return b.append(check(body)).toString();
    }

    /** Whether {@code text} has a token's shape and a matching checksum (it may still be unknown or revoked). */
    public static boolean wellFormed(String text) {
        if (text == null || text.length() != PREFIX.length() + RANDOM_CHARS + CHECK_CHARS || !text.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < text.length(); i++) {
            if (BASE62.indexOf(text.charAt(i)) < 0) {
                return false;
            }
        }
        String body = text.substring(PREFIX.length(), PREFIX.length() + RANDOM_CHARS);
        return text.endsWith(check(body));
    }

    /** The hex SHA-256 under which a token is stored and looked up. */
    public static String hash(String token) {
        return Hashes.sha256Hex(token.getBytes(StandardCharsets.UTF_8));
    }

    /** The part of a token that may be shown to identify it: {@code flt_AbCd…}. */
    public static String hint(String token) {
        return token.substring(0, PREFIX.length() + 4) + "…";
    }

    private static String check(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.US_ASCII));
        long v = crc.getValue();
        char[] out = new char[CHECK_CHARS];
        for (int i = CHECK_CHARS - 1; i >= 0; i--) {
            out[i] = BASE62.charAt((int) (v % 62));
            v /= 62;
        }
        return new String(out);
    }
}
