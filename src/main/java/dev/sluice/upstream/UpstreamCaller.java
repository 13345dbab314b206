package dev.sluice.upstream;

import dev.sluice.config.SluiceSettings;
import dev.sluice.config.UpstreamSettings;
import dev.sluice.openai.Operation;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.mutiny.Uni;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import jakarta.ws.rs.core.Response;


import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Makes one upstream call and hands back the reply to relay. Non-streamed calls go through the
 * Quarkus REST Client ({@link UpstreamClient}); streams go through {@link StreamingUpstream} (see
 * there why). Upstream 4xx/5xx replies are relayed, not thrown: only a missing reply fails, as an
 * {@link UpstreamFailure}. One per upstream; retries and failover live on {@link ResilientUpstream}.
 */
public final class UpstreamCaller implements AutoCloseable {

    private final UpstreamClient client;
    private final StreamingUpstream streaming;
    private final Duration replyTimeout;

    public UpstreamCaller(UpstreamSettings upstream, SluiceSettings settings, io.vertx.mutiny.core.Vertx vertx) {
        UpstreamConnection connection = UpstreamConnection.of(upstream, settings);
        this.replyTimeout = connection.replyTimeout();
        this.streaming = new StreamingUpstream(vertx, upstream, connection);
        this.client = connection.applyTo(QuarkusRestClientBuilder.newBuilder().baseUri(upstream.url()))
                .disableDefaultMapper(true)
                .build(UpstreamClient.class);
    }

    @Override
    public void close() {
        streaming.close();
        if (client instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // closing at shutdown: nothing left to do about it
            }
        }
    }

    public Uni<UpstreamReply> send(UpstreamRequest request) {
        if (request.stream()) {
            return streaming.send(request);
        }
        Uni<Response> response = switch (request.operation()) {
            case CHAT_COMPLETIONS -> client.chatCompletions(request.headers(), request.body());
            case COMPLETIONS -> client.completions(request.headers(), request.body());
            case EMBEDDINGS -> client.embeddings(request.headers(), request.body());
            case RESPONSES -> client.responses(request.headers(), request.body());
            case MODERATIONS -> client.moderations(request.headers(), request.body());
            case MODELS -> client.models(request.headers());
        };
        // readTimeout bounds only the wait for the response head; this bounds the whole reply, and
        // cancelling the Uni closes the upstream connection.
        return response
                .ifNoItem().after(replyTimeout).fail()
                .map(UpstreamCaller::toReply)
                .onFailure().transform(failure -> classify(failure, request.operation().publicPath()));
    }

    /** A call on any other endpoint, relayed as it came, its reply streamed back ({@link StreamingUpstream#relay}). */
    public Uni<UpstreamReply> relay(PassThroughRequest request) {
        return streaming.relay(request);
    }

    private static UpstreamReply toReply(Response response) {
        try {
            byte[] body = response.hasEntity() ? response.readEntity(byte[].class) : new byte[0];
            Map<String, List<String>> headers = RelayedHeaders.select(
                    sink -> response.getStringHeaders().forEach((name, values) -> values.forEach(v -> sink.accept(name, v))));
            return UpstreamReply.whole(response.getStatus(), headers, Buffer.buffer(body));
        } finally {
            response.close();
        }
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
