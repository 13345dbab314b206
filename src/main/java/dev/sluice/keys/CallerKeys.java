package dev.sluice.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Caller keys as Sluice issues them: {@value #PREFIX} and 32 random bytes from {@link SecureRandom} in
 * URL-safe base64 (43 characters), 256 bits of entropy. Only their SHA-256 is kept. A fast hash is
 * right for a secret of that entropy: slow password hashes exist to make guessing low-entropy
 * passwords expensive, and nobody guesses 2^256 keys; a salt would only matter for precomputed tables,
 * which cannot cover that space either. A fast hash also lets the lookup cost nothing per request.
 */
public final class CallerKeys {

    public static final String PREFIX = "sk-sluice-";
    private static final int RANDOM_BYTES = 32;
    private static final Base64.Encoder URL_SAFE = Base64.getUrlEncoder().withoutPadding();

    private CallerKeys() {
    }

    /** A new key. */
    public static String generate(SecureRandom random) {
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        return PREFIX + URL_SAFE.encodeToString(bytes);
    }

    /** A new key id: {@code key_} and 12 random bytes in hex; stable for the key's life, rotations included. */
    public static String newId(SecureRandom random) {
        byte[] bytes = new byte[12];
        random.nextBytes(bytes);
        return "key_" + HexFormat.of().formatHex(bytes);
    }

    /**
     * Lower-case hex SHA-256 of a text: of a key (of any bearer token), what is stored and looked up; of a
     * model name too long for a store key, what stands for it there.
     */
    public static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Whether two hex hashes are the same, in time that does not depend on where they differ. */
    public static boolean sameHash(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }
}
