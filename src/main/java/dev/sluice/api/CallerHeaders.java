package dev.sluice.api;

import dev.sluice.admission.AdmissionPlan;
import dev.sluice.config.SluiceSettings;
import dev.sluice.net.ClientAddress;
import dev.sluice.upstream.UpstreamHeaders;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;

/**
 * What Sluice reads from a caller's request head, for the model calls ({@link RequestRelay}), the pass-through
 * ({@link PassThrough}) and the model list ({@link ModelLists}) alike: the key, the address the per-IP limit
 * counts, and the headers relayed upstream.
 */
final class CallerHeaders {

    /** The header that carries the caller's key. */
    static final String AUTHORIZATION = "Authorization";

    private CallerHeaders() {
    }

    /** The {@code Authorization} header; null when there is none (which {@link Callers} answers with a 401). */
    static String authorization(MultiMap headers) {
        return header(headers, AUTHORIZATION);
    }

    /**
     * The address the per-IP limit counts: the connection's peer, or who a trusted proxy says it forwarded for.
     *
     * @return {@link AdmissionPlan#NO_CLIENT_ADDRESS} when the per-IP limit is off: nothing counts the address then
     * (and Vert.x, which formats the peer's address anew each time, is not asked for it)
     */
    static String clientAddress(SluiceSettings settings, HttpServerRequest request) {
        return settings.clientIp()
                .map(limit -> ClientAddress.resolve(request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress(),
                        request.headers().getAll("X-Forwarded-For"), limit.trustedProxies()))
                .orElse(AdmissionPlan.NO_CLIENT_ADDRESS);
    }

    static UpstreamHeaders upstreamHeaders(CallerIdentity caller, MultiMap headers) {
        // in managed mode each upstream puts its own key in (UpstreamHeaders.withKey)
        return new UpstreamHeaders(caller.bearerToken(), header(headers, UpstreamHeaders.USER_AGENT),
                header(headers, UpstreamHeaders.ORGANIZATION), header(headers, UpstreamHeaders.PROJECT),
                header(headers, UpstreamHeaders.BETA));
    }

    /** A header's value as HTTP reads it (RFC 9110, 5.3): its lines joined by commas; null when it is absent. */
    static String header(MultiMap headers, String name) {
        String first = headers.get(name);
        if (first == null) {
            return null;
        }
        List<String> all = headers.getAll(name);
        return all.size() == 1 ? first : String.join(",", all);
    }
}
