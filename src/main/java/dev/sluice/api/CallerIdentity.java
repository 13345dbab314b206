package dev.sluice.api;

import dev.sluice.config.Plan;

/**
 * Who is calling: an issued key's id, or the SHA-256 of a bearer token that is no issued key (pass-through
 * mode, or any token accepted); the token itself is never stored or logged.
 *
 * @param bearerToken the caller's token, kept only to forward it in pass-through mode
 * @param id          the key's id, or the token's hex SHA-256
 * @param plan        the caller's limits in force
 */
public record CallerIdentity(String bearerToken, String id, Plan plan) {

    private static final String BEARER = "bearer ";
    private static final int SHORT_HASH = 12;

    /** The id as logs show it: a key's id whole, a token's hash by its first 12 hex digits. */
    public String shortId() {
        return id.length() == 64 ? id.substring(0, SHORT_HASH) : id;
    }

    @Override
    public String toString() {
        return "CallerIdentity[" + shortId() + "]";
    }

    /**
     * Reads {@code Authorization: Bearer <token>}.
     *
     * @throws GatewayException 401 when the header is missing, not Bearer, or empty
     */
    public static String bearerToken(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw unauthorized("You didn't provide an API key. Provide it in an Authorization header using Bearer "
                    + "auth (i.e. Authorization: Bearer YOUR_KEY).");
        }
        String trimmed = authorization.strip();
        if (trimmed.length() < BEARER.length() || !trimmed.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw unauthorized("The Authorization header must use Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
        }
        String token = trimmed.substring(BEARER.length()).strip();
        if (token.isEmpty()) {
            throw unauthorized("The Authorization header holds an empty bearer token.");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            // Keys are printable ASCII; anything else could not be sent upstream as a header anyway.
            if (c < 0x21 || c > 0x7e) {
                throw unauthorized("The bearer token may only contain printable ASCII characters.");
            }
        }
        return token;
    }

    private static GatewayException unauthorized(String message) {
        return GatewayException.invalidRequest(401, message, null, "missing_api_key");
    }
}
