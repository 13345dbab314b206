package dev.sluice.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.sluice.config.SluiceSettings;
import dev.sluice.net.ClientAddress;
import dev.sluice.upstream.Operation;
import dev.sluice.upstream.UpstreamCaller;
import dev.sluice.upstream.UpstreamFailure;
import dev.sluice.upstream.UpstreamHeaders;
import dev.sluice.upstream.UpstreamReply;
import dev.sluice.upstream.UpstreamRequest;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;

/**
 * The request path behind the resource: identify the caller, check the body, admit, call the
 * upstream, and log the outcome once the reply (or stream) is over.
 */
@ApplicationScoped
public class RequestRelay {

    private final SluiceSettings settings;
    private final AdmissionGate gate;
    private final UpstreamCaller upstream;
    private final ObjectReader jsonReader;

    @Inject
    public RequestRelay(SluiceSettings settings, AdmissionGate gate, UpstreamCaller upstream, ObjectMapper mapper) {
        this.settings = settings;
        this.gate = gate;
        this.upstream = upstream;
        this.jsonReader = ProxiedRequest.strictReader(mapper);
    }

    /**
     * A call with a JSON body, admitted against every limit that applies.
     *
     * @param peer the connection's remote address
     */
    public Uni<UpstreamReply> relay(Operation operation, HttpHeaders headers, byte[] body, String peer) {
        RequestLog log = new RequestLog("POST", operation.publicPath());
        return Uni.createFrom().deferred(() -> {
            CallerIdentity caller = CallerIdentity.fromAuthorization(headers.getHeaderString(HttpHeaders.AUTHORIZATION));
            log.caller(caller);
            ProxiedRequest request = ProxiedRequest.parse(operation, body, jsonReader);
            log.request(request.model(), request.stream());
            UpstreamRequest call = new UpstreamRequest(operation, request.body(), request.stream(),
                    upstreamHeaders(caller, headers));
            return gate.admit(caller, clientAddress(peer, headers), 0).flatMap(ticket -> {
                log.admitted(ticket.waitedNanos());
                return upstream.send(call);
            });
        }).map(reply -> logged(reply, log)).onFailure().invoke(failure -> logFailure(failure, log));
    }

    /** {@code GET /v1/models}: passed through for any authenticated caller, outside the request limits. */
    public Uni<UpstreamReply> models(HttpHeaders headers) {
        RequestLog log = new RequestLog("GET", Operation.MODELS.publicPath());
        return Uni.createFrom().deferred(() -> {
            CallerIdentity caller = CallerIdentity.fromAuthorization(headers.getHeaderString(HttpHeaders.AUTHORIZATION));
            log.caller(caller);
            log.admitted(0);
            return upstream.send(new UpstreamRequest(Operation.MODELS, null, false, upstreamHeaders(caller, headers)));
        }).map(reply -> logged(reply, log)).onFailure().invoke(failure -> logFailure(failure, log));
    }

    /** The address the per-IP limit counts: the peer, or who a trusted proxy says it forwarded for. */
    private String clientAddress(String peer, HttpHeaders headers) {
        return settings.clientIp()
                .map(limit -> ClientAddress.resolve(peer, headers.getRequestHeader("X-Forwarded-For"), limit.trustedProxies()))
                .orElse(peer);
    }

    private UpstreamHeaders upstreamHeaders(CallerIdentity caller, HttpHeaders headers) {
        String userAgent = headers.getHeaderString(HttpHeaders.USER_AGENT);
        String beta = headers.getHeaderString("OpenAI-Beta");
        if (settings.managedMode()) {
            // Sluice's key: the caller's organization and project would not belong to it.
            return new UpstreamHeaders(settings.upstreamApiKey().orElseThrow(), userAgent, null, null, beta);
        }
        return new UpstreamHeaders(caller.bearerToken(), userAgent, headers.getHeaderString("OpenAI-Organization"),
                headers.getHeaderString("OpenAI-Project"), beta);
    }

    /** Logs a whole reply now, and a stream when it has been relayed to its end, broke off, or the caller hung up. */
    private static UpstreamReply logged(UpstreamReply reply, RequestLog log) {
        log.upstreamStatus(reply.status());
        if (!reply.isStream()) {
            log.finish(reply.status(), null);
            return reply;
        }
        return reply.withStream(reply.stream().onTermination().invoke(
                (failure, cancelled) -> log.finish(reply.status(),
                        failure != null ? "upstream broke off: " + failure.getClass().getSimpleName()
                                : cancelled ? "caller went away" : null)));
    }

    private static void logFailure(Throwable failure, RequestLog log) {
        if (failure instanceof RateLimitedException refused) {
            log.refused(refused.scope());
        }
        log.finish(ErrorMappers.statusOf(failure), failure instanceof UpstreamFailure ? failure.getMessage() : null);
    }
}
