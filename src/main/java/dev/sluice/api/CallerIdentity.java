package dev.sluice.api;

import dev.sluice.admission.StoreKeys;


/**
 * Who is calling, known only by a SHA-256 of their bearer token: the token itself is never stored
 * or logged, yet the same token always maps to the same buckets.
 *
 * @param bearerToken the caller's token, kept only to forward it in pass-through mode
 * @param id          hex SHA-256 of the token
 */
public record CallerIdentity(String bearerToken, String id) {

    private static final String BEARER = "bearer ";

    /** The first 12 hex digits of the id: enough to tell callers apart in logs. */
    public String shortId() {
        return id.substring(0, 12);
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
    public static CallerIdentity fromAuthorization(String authorization) {
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
        return new CallerIdentity(token, StoreKeys.sha256Hex(token));
    }

    private static GatewayException unauthorized(String message) {
        return GatewayException.invalidRequest(401, message, null, "missing_api_key");
    }
}
