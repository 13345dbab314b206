package dev.sluice.api;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A pass-through on 127.0.0.1 between a client and Sluice that records every attempt the client makes,
 * with Sluice's answer: what Sluice refused never reaches {@code TestUpstream}, so this is where a test
 * counts a client's retries. Whole bodies only (no streams); everything else is relayed as it came.
 */
final class TestRelay implements AutoCloseable {

    /**
     * One request as the client sent it and Sluice answered it.
     *
     * @param retryCount   the client's {@code X-Stainless-Retry-Count} (0 for a first attempt), or null
     * @param retryAfterMs Sluice's {@code retry-after-ms}, or null
     */
    record Attempt(String retryCount, String body, int status, String retryAfterMs) {
    }

    /** Hop-by-hop headers, and those Vert.x sets again for the body it writes. */
    private static final Set<String> NOT_RELAYED = Set.of("host", "connection", "keep-alive", "transfer-encoding", "content-length");

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient client;
    private final HttpServer server;
    private final List<Attempt> attempts = new CopyOnWriteArrayList<>();

    private TestRelay(int sluicePort) {
        // Vert.x keeps 5 connections a host by default and queues the rest: a burst must reach Sluice at once.
        client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(64)
                .setDefaultHost("127.0.0.1").setDefaultPort(sluicePort));
        server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            RequestOptions options = new RequestOptions().setMethod(request.method()).setURI(request.uri());
            request.headers().forEach(header -> {
                if (!NOT_RELAYED.contains(header.getKey().toLowerCase())) {
                    options.addHeader(header.getKey(), header.getValue());
                }
            });
            client.request(options)
                    .compose(toSluice -> toSluice.send(body))
                    .compose(reply -> reply.body().onSuccess(replyBody -> {
                        attempts.add(new Attempt(request.getHeader("X-Stainless-Retry-Count"),
                                body.toString(StandardCharsets.UTF_8), reply.statusCode(), reply.getHeader("retry-after-ms")));
                        request.response().setStatusCode(reply.statusCode());
                        reply.headers().forEach(header -> {
                            if (!NOT_RELAYED.contains(header.getKey().toLowerCase())) {
                                request.response().putHeader(header.getKey(), header.getValue());
                            }
                        });
                        request.response().end(replyBody);
                    }))
                    .onFailure(failure -> request.response().setStatusCode(502).end());
        }));
    }

    /** Starts on a free port of 127.0.0.1, relaying to Sluice on {@code sluicePort}. */
    static TestRelay start(int sluicePort) {
        TestRelay relay = new TestRelay(sluicePort);
        relay.server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
        return relay;
    }

    /** The base URL a client is given instead of Sluice's, ending in /v1. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.actualPort() + "/v1";
    }

    List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
