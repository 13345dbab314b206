package dev.sluice.api;

import dev.sluice.config.SluiceSettings;
import dev.sluice.keys.CallerKeys;
import dev.sluice.keys.KeyLookup;
import dev.sluice.keys.KeyRegistry;
import dev.sluice.limit.TimeSource;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Locale;

/**
 * Who may call. In managed mode (Sluice sends its own upstream key) only a key Sluice issued or was
 * given in the environment is let in, looked up in this instance's copy of the keys
 * ({@link KeyRegistry}, no store round trip); anything else is a 401 that costs no bucket and reaches
 * no upstream, unless {@code SLUICE_ACCEPT_ANY_KEY} is set for trying Sluice out. In pass-through mode
 * the upstream checks each caller's own key, and every caller is on the default plan.
 */
@Singleton
public class Callers {

    private static final Logger LOG = Logger.getLogger("dev.sluice.keys");

    private final KeyRegistry keys;
    private final TimeSource clock;
    private final boolean managed;
    private final SluiceSettings settings;

    @Inject
    public Callers(KeyRegistry keys, TimeSource clock, SluiceSettings settings) {
        this.keys = keys;
        this.clock = clock;
        this.settings = settings;
        this.managed = settings.upstreams().stream().anyMatch(upstream -> upstream.apiKey().isPresent());
    }

    /**
     * @param authorization the request's {@code Authorization} header
     * @throws GatewayException 401 when there is no bearer token, or, in managed mode, no key Sluice accepts
     */
    public CallerIdentity identify(String authorization) {
        String token = CallerIdentity.bearerToken(authorization);
        String hash = CallerKeys.hash(token);
        if (!managed) {
            return new CallerIdentity(token, hash, settings.defaultPlan());
        }
        KeyLookup found = keys.lookup(hash, Instant.ofEpochSecond(0, clock.nowNanos()));
        if (found instanceof KeyLookup.Known known) {
            return new CallerIdentity(token, known.id(), known.plan());
        }
        KeyLookup.Reason reason = ((KeyLookup.Refused) found).reason();
        LOG.debugf("Refused a caller: %s key (token hash %s)", reason.name().toLowerCase(Locale.ROOT), hash.substring(0, 12));
        throw GatewayException.invalidRequest(401, "Incorrect API key provided. Ask the administrator of this gateway for a key.",
                null, "invalid_api_key");
    }
}
