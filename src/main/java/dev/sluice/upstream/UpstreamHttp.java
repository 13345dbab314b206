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
 * The HTTP calls to one upstream, on Vert.x's HTTP client (the one the Quarkus REST Client is built on),
 * its connections pooled per event loop ({@link #byLoop}): whole replies, streams and pass-through calls alike.
 *
 * <p>Whole replies were made through the Quarkus REST Client until issue 20: its per-call machinery
 * (invocation context, bean-param headers, entity readers, the hop back to the request's context) cost
 * more CPU than the whole HTTP exchange; docs/architecture.md "The hot path" has the measurement.
 * Streams never could use it: for a {@code text/event-stream} reply the REST Client of Quarkus 3.33
 * parses the events (dropping comments and event names) and does not expose a streamed reply's status
 * and headers, and its InputStream alternative blocks a thread per stream and cannot stop the upstream.
 *
 * <p>A stream's body is a back-pressured Multi: chunks are read from the upstream only as fast as the
 * caller takes them, and a caller who hangs up resets the upstream request, so the upstream stops
 * generating tokens nobody will read.
 */
final class UpstreamHttp {

    private final io.vertx.core.Vertx vertx;
    private final io.vertx.core.http.HttpClientOptions loopOptions;
    /** For a call made off the event loops (a worker thread, a test): one client, its pool shared. */
    private final io.vertx.core.http.HttpClient offLoop;
    /**
     * One client per event loop, each with its share of the connections. Vert.x 4 pools connections per
     * client, not per loop: a request on one loop was given a connection of another's three times in four
     * (Quarkus runs two loops a core), and then its write and the reply each crossed threads. A call goes
     * through its own loop's client, so its connection, its write and its reply stay on that loop.
     */
    private final java.util.concurrent.ConcurrentHashMap<Thread, io.vertx.core.http.HttpClient> byLoop =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final Duration replyTimeout;
    private final String host;
    private final int port;
    private final boolean ssl;
    private final String basePath;

    UpstreamHttp(Vertx vertx, UpstreamSettings upstream, UpstreamConnection connection) {
        this.replyTimeout = connection.replyTimeout();
        URI url = upstream.url();
        this.ssl = "https".equalsIgnoreCase(url.getScheme());
        this.host = url.getHost();
        this.port = url.getPort() != -1 ? url.getPort() : (ssl ? 443 : 80);
        this.basePath = url.getRawPath() == null ? "" : url.getRawPath();
        this.vertx = vertx.getDelegate();
        io.vertx.core.http.HttpClientOptions options = connection.httpClientOptions(ssl);
        this.offLoop = this.vertx.createHttpClient(options);
        // the connections a client may open, shared out among the loops (rounded up: at least one each)
        int loops = io.vertx.core.VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
        this.loopOptions = new io.vertx.core.http.HttpClientOptions(options)
                .setMaxPoolSize(Math.max(1, (options.getMaxPoolSize() + loops - 1) / loops));
    }

    /** The client of the event loop this runs on (see {@link #byLoop}), or the shared one off the loops. */
    private io.vertx.core.http.HttpClient here() {
        if (!io.vertx.core.Context.isOnEventLoopThread()) {
            return offLoop;
        }
        io.vertx.core.http.HttpClient client = byLoop.get(Thread.currentThread());
        return client != null ? client : byLoop.computeIfAbsent(Thread.currentThread(), loop -> vertx.createHttpClient(loopOptions));
    }

    /** {@link #here()} with Mutiny's API, taken when the call is subscribed to (where it will run). */
    private Uni<HttpClientRequest> request(RequestOptions options) {
        return Uni.createFrom().deferred(() -> HttpClient.newInstance(here()).request(options));
    }

    /**
     * A call whose reply is read whole (not a stream). Bounded twice, as the REST Client did: no byte for
     * the reply timeout fails it (the request's idle timeout), and so does no whole reply within it (a
     * timer on the calling event loop, which resets the request). Cancelling the Uni resets it too, so an
     * upstream call nobody waits for any more does not hold a pooled connection.
     */
    Uni<UpstreamReply> whole(UpstreamRequest request) {
        RequestOptions options = options(request);
        Buffer body = null;
        if (request.body() != null) {
            options.putHeader(CONTENT_TYPE, APPLICATION_JSON);
            body = Buffer.buffer(request.body());
        }
        Buffer sent = body;
        String what = request.operation().publicPath();
        return Uni.createFrom().<UpstreamReply>emitter(emitter -> new WholeExchange(emitter, what).start(options, sent))
                .onFailure().transform(failure -> UpstreamCaller.classify(failure, what));
    }

    /** One whole-reply call: its request once opened, and whether it is over, for the timer and a cancellation. */
    private final class WholeExchange {
        private final io.smallrye.mutiny.subscription.UniEmitter<? super UpstreamReply> emitter;
        private final String what;
        private io.vertx.core.http.HttpClientRequest request;
        private long timer = -1;
        private boolean over;

        WholeExchange(io.smallrye.mutiny.subscription.UniEmitter<? super UpstreamReply> emitter, String what) {
            this.emitter = emitter;
            this.what = what;
        }

        void start(RequestOptions options, Buffer body) {
            emitter.onTermination(this::ended);
            timer = vertx.setTimer(Math.max(1, replyTimeout.toMillis()), id -> {
                timer = -1;
                emitter.fail(new java.util.concurrent.TimeoutException("no whole reply to " + what + " in time"));
            });
            here().request(options).onComplete(opened -> {
                if (opened.failed()) {
                    emitter.fail(opened.cause());
                    return;
                }
                request = opened.result();
                if (over) { // cancelled or timed out while the connection was being found
                    request.reset();
                    return;
                }
                (body == null ? request.send() : request.send(body)).onComplete(answered -> {
                    if (answered.failed()) {
                        emitter.fail(answered.cause());
                        return;
                    }
                    io.vertx.core.http.HttpClientResponse response = answered.result();
                    response.body().onComplete(read -> {
                        if (read.failed()) {
                            emitter.fail(read.cause());
                            return;
                        }
                        over = true;
                        emitter.complete(UpstreamReply.whole(response.statusCode(), relayedHeaders(response), read.result()));
                    });
                });
            });
        }

        /** Completed, failed or cancelled: the timer goes, and a call still under way is reset. */
        private void ended() {
            if (timer != -1) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
            boolean unfinished = !over;
            over = true;
            if (unfinished && request != null) {
                request.reset();
            }
        }
    }

    private static final String CONTENT_TYPE = "Content-Type";
    private static final String APPLICATION_JSON = "application/json";

    /** A metered call's request: its operation's path below the upstream's URL, the headers to send. */
    private RequestOptions options(UpstreamRequest request) {
        RequestOptions options = new RequestOptions()
                .setMethod(request.body() == null ? HttpMethod.GET : HttpMethod.POST)
                .setHost(host)
                .setPort(port)
                .setSsl(ssl)
                .setURI(basePath + request.operation().path())
                // no byte from the upstream for this long fails the call, before or during a stream
                .setIdleTimeout(replyTimeout.toMillis())
                .setFollowRedirects(false);
        request.headers().forEach(options::putHeader);
        return options;
    }

    Uni<UpstreamReply> send(UpstreamRequest request) {
        RequestOptions options = options(request);
        options.putHeader(CONTENT_TYPE, APPLICATION_JSON);
        options.putHeader("Accept", "text/event-stream");
        return request(options)
                .flatMap(upstreamRequest -> upstreamRequest
                        .send(io.vertx.mutiny.core.buffer.Buffer.newInstance(Buffer.buffer(request.body())))
                        .map(response -> toReply(upstreamRequest, response, request)))
                .ifNoItem().after(replyTimeout).fail()
                .onFailure().transform(failure -> UpstreamCaller.classify(failure, request.operation().publicPath()));
    }

    /**
     * Any other call, relayed as it came; its reply's body streams back as the upstream sends it (a binary
     * download, or JSON). A body still arriving from the caller is piped through with back-pressure; then
     * the wait for the reply's head starts once the body was sent, however long an upload took.
     */
    Uni<UpstreamReply> relay(PassThroughRequest call) {
        RequestOptions options = new RequestOptions()
                .setMethod(call.method())
                .setHost(host)
                .setPort(port)
                .setSsl(ssl)
                .setURI(basePath + call.pathAndQuery())
                .setFollowRedirects(false);
        call.headers().forEach(options::putHeader);
        call.contentHeaders().forEach((name, value) -> {
            if (!name.equals("Content-Length")) {
                options.putHeader(name, value);
            }
        });
        String what = call.method().name() + " " + call.pathAndQuery();
        Uni<UpstreamReply> reply;
        if (call.body() instanceof PassThroughRequest.Streamed streamed) {
            reply = request(options).flatMap(request -> Uni.createFrom().<HttpClientResponse>emitter(emitter -> {
                io.vertx.core.http.HttpClientRequest core = request.getDelegate();
                String length = call.contentHeaders().get("Content-Length");
                if (length != null) {
                    core.putHeader("Content-Length", length); // the body goes as it came: as long as it said
                } else {
                    core.setChunked(true);
                }
                core.response().onComplete(answered -> {
                    if (answered.succeeded()) {
                        emitter.complete(HttpClientResponse.newInstance(answered.result()));
                    } else {
                        emitter.fail(answered.cause());
                    }
                });
                // a body that breaks off (the caller hung up, or it went over the limit) must not reach the
                // upstream ended, as if complete: the call is reset instead, and fails with the body's failure
                streamed.bytes().pipe().endOnFailure(false).to(core).onComplete(sent -> {
                    if (sent.failed()) {
                        emitter.fail(sent.cause()); // first: the reset fails the reply too, with a failure of its own
                        core.reset(0, sent.cause());
                        return;
                    }
                    long timer = vertx.setTimer(Math.max(1, replyTimeout.toMillis()),
                            id -> core.reset(0, new java.util.concurrent.TimeoutException("no reply head in time")));
                    core.response().onComplete(answered -> vertx.cancelTimer(timer));
                });
                emitter.onTermination(() -> {
                    if (!core.response().isComplete()) {
                        core.reset();
                    }
                });
            }).map(response -> toReply(request, response, what)));
        } else {
            options.setIdleTimeout(replyTimeout.toMillis());
            io.vertx.mutiny.core.buffer.Buffer body = call.body() instanceof PassThroughRequest.Whole whole
                    ? io.vertx.mutiny.core.buffer.Buffer.newInstance(whole.bytes()) : null;
            reply = request(options)
                    .flatMap(request -> (body == null ? request.send() : request.send(body)).map(response -> toReply(request, response, what)))
                    .ifNoItem().after(replyTimeout).fail();
        }
        return reply.onFailure().transform(failure -> UpstreamCaller.classify(failure, what));
    }

    private UpstreamReply toReply(HttpClientRequest request, HttpClientResponse response, UpstreamRequest call) {
        return toReply(request, response, call.operation().publicPath());
    }

    private UpstreamReply toReply(HttpClientRequest request, HttpClientResponse response, String what) {
        response.pause(); // nothing flows until the caller's side subscribes and asks for it
        Map<String, List<String>> headers = relayedHeaders(response.getDelegate());
        Multi<Buffer> body = response.toMulti()
                .map(io.vertx.mutiny.core.buffer.Buffer::getDelegate)
                .onCancellation().invoke(() -> request.getDelegate().reset())
                // The request's idle timeout ends with the reply's head: a silence between two chunks is
                // bounded here (the chaos suite saw 5 s silences pass a 1 s timeout). The failure cancels
                // the upstream request above and ends the caller's stream with an error event.
                .ifNoItem().after(replyTimeout).failWith(() -> new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT,
                        "The upstream sent nothing for longer than its timeout in the middle of " + what + ".", null, true));
        return UpstreamReply.streamed(response.statusCode(), headers, body);
    }

    /** The reply's headers that reach the caller ({@link RelayedHeaders}), whole reply or stream. */
    private static Map<String, List<String>> relayedHeaders(io.vertx.core.http.HttpClientResponse response) {
        return RelayedHeaders.select(sink -> response.headers().forEach(entry -> sink.accept(entry.getKey(), entry.getValue())));
    }

    void close() {
        offLoop.close();
        byLoop.values().forEach(io.vertx.core.http.HttpClient::close);
    }
}
