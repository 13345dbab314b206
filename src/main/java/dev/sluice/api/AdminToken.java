package dev.sluice.api;

import dev.sluice.config.SluiceSettings;
import dev.sluice.keys.CallerKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Optional;

/**
 * The admin API's token ({@code SLUICE_ADMIN_TOKEN}): whether the admin API is on at all, and whether a
 * request presents the token. The SHA-256s of the presented and the configured token are compared, so
 * that the comparison takes the same time whatever the lengths and wherever they differ.
 */
@ApplicationScoped
public class AdminToken {

    private final Optional<String> tokenHash;

    @Inject
    public AdminToken(SluiceSettings settings) {
        this.tokenHash = settings.callers().adminToken().map(token -> CallerKeys.hash(token.value()));
    }

    public boolean on() {
        return tokenHash.isPresent();
    }

    /** @param authorization the request's {@code Authorization} header */
    public boolean admits(String authorization) {
        if (tokenHash.isEmpty()) {
            return false;
        }
        String presented;
        try {
            presented = CallerIdentity.bearerToken(authorization);
        } catch (GatewayException e) {
            return false;
        }
        return CallerKeys.sameHash(CallerKeys.hash(presented), tokenHash.get());
    }
}
