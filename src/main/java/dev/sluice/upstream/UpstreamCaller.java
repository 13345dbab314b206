package dev.sluice.upstream;

import dev.sluice.config.SluiceSettings;
import dev.sluice.config.UpstreamSettings;
import io.smallrye.mutiny.Uni;
import io.vertx.core.VertxException;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * Makes one upstream call and hands back the reply to relay, whole or streamed, through
 * {@link UpstreamHttp} (Vert.x's HTTP client). Upstream 4xx/5xx replies are relayed, not thrown: only a
 * missing reply fails, as an {@link UpstreamFailure}. One per upstream; retries and failover live on {@link ResilientUpstream}.
 */
public final class UpstreamCaller implements AutoCloseable {

    private final UpstreamHttp http;

    public UpstreamCaller(UpstreamSettings upstream, SluiceSettings settings, io.vertx.mutiny.core.Vertx vertx) {
        this.http = new UpstreamHttp(vertx, upstream, UpstreamConnection.of(upstream, settings));
    }

    @Override
    public void close() {
        http.close();
    }

    public Uni<UpstreamReply> send(UpstreamRequest request) {
        return request.stream() ? http.send(request) : http.whole(request);
    }

    /** A call on any other endpoint, relayed as it came, its reply streamed back ({@link UpstreamHttp#relay}). */
    public Uni<UpstreamReply> relay(PassThroughRequest request) {
        return http.relay(request);
    }

    /** Sorts a failed call into "no answer in time" and "could not reach"; anything else passes as it is. */
    static Throwable classify(Throwable failure, String what) {
        if (failure instanceof UpstreamFailure) {
            return failure;
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof TimeoutException || cause instanceof io.smallrye.mutiny.TimeoutException) {
                return new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT,
                        "The upstream did not answer " + what + " in time.", failure, true);
            }
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException || cause instanceof VertxException) {
                return new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE,
                        "The upstream could not be reached for " + what + ".", failure,
                        !neverConnected(failure));
            }
        }
        return failure;
    }

    /**
     * Whether the failure shows that no connection was ever made (refused, no route, not resolved, the
     * connect timed out, the TLS handshake failed), so the request cannot have reached the upstream.
     * A connection closed or reset later may have carried the request first.
     */
    private static boolean neverConnected(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.ConnectException || cause instanceof java.net.UnknownHostException
                    || cause instanceof java.net.NoRouteToHostException || cause instanceof javax.net.ssl.SSLHandshakeException) {
                return true;
            }
        }
        return false;
    }
}
