package dev.sluice.upstream;

import dev.sluice.config.UpstreamSettings;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpClient;
import io.vertx.mutiny.core.http.HttpClientRequest;
import io.vertx.mutiny.core.http.HttpClientResponse;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Streamed calls, relayed byte for byte as the upstream sends them, on Vert.x's HTTP client (the
 * one the Quarkus REST Client is built on). The REST Client of Quarkus 3.33 cannot do this: for a
 * {@code text/event-stream} reply it parses the events (dropping comments and event names) and it
 * does not expose a streamed reply's status and headers (that came later, as RestMultiResponse),
 * and its InputStream alternative blocks a thread per stream and cannot stop the upstream.
 *
 * <p>The body is a back-pressured Multi: chunks are read from the upstream only as fast as the
 * caller takes them, and a caller who hangs up resets the upstream request, so the upstream stops
 * generating tokens nobody will read.
 */
final class StreamingUpstream {

    private final HttpClient client;
    private final Duration replyTimeout;
    private final String host;
    private final int port;
    private final boolean ssl;
    private final String basePath;

    StreamingUpstream(Vertx vertx, UpstreamSettings upstream, UpstreamConnection connection) {
        this.replyTimeout = connection.replyTimeout();
        URI url = upstream.url();
        this.ssl = "https".equalsIgnoreCase(url.getScheme());
        this.host = url.getHost();
        this.port = url.getPort() != -1 ? url.getPort() : (ssl ? 443 : 80);
        this.basePath = url.getRawPath() == null ? "" : url.getRawPath();
        this.client = vertx.createHttpClient(connection.httpClientOptions(ssl));
    }

    Uni<UpstreamReply> send(UpstreamRequest request) {
        RequestOptions options = new RequestOptions()
                .setMethod(request.body() == null ? HttpMethod.GET : HttpMethod.POST)
                .setHost(host)
                .setPort(port)
                .setSsl(ssl)
                .setURI(basePath + request.operation().path())
                // no byte from the upstream for this long fails the call, before or during the stream
                .setIdleTimeout(replyTimeout.toMillis())
                .setFollowRedirects(false);
        request.headers().forEach(options::putHeader);
        options.putHeader("Content-Type", "application/json");
        options.putHeader("Accept", "text/event-stream");
        return client.request(options)
                .flatMap(upstreamRequest -> upstreamRequest
                        .send(io.vertx.mutiny.core.buffer.Buffer.newInstance(Buffer.buffer(request.body())))
                        .map(response -> toReply(upstreamRequest, response, request)))
                .ifNoItem().after(replyTimeout).fail()
                .onFailure().transform(failure -> UpstreamCaller.classify(failure, request.operation()));
    }

    private UpstreamReply toReply(HttpClientRequest request, HttpClientResponse response, UpstreamRequest call) {
        response.pause(); // nothing flows until the caller's side subscribes and asks for it
        Map<String, List<String>> headers = RelayedHeaders.select(
                sink -> response.headers().forEach(entry -> sink.accept(entry.getKey(), entry.getValue())));
        Multi<Buffer> body = response.toMulti()
                .map(io.vertx.mutiny.core.buffer.Buffer::getDelegate)
                .onCancellation().invoke(() -> request.getDelegate().reset())
                // The request's idle timeout ends with the reply's head: a silence between two chunks is
                // bounded here (the chaos suite saw 5 s silences pass a 1 s timeout). The failure cancels
                // the upstream request above and ends the caller's stream with an error event.
                .ifNoItem().after(replyTimeout).failWith(() -> new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT,
                        "The upstream sent nothing for longer than its timeout in the middle of " + call.operation().publicPath()
                                + ".", null, true));
        return UpstreamReply.streamed(response.statusCode(), headers, body);
    }

    void close() {
        client.closeAndForget();
    }
}
