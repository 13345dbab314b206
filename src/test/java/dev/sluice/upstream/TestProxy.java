package dev.sluice.upstream;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A forward HTTP proxy on 127.0.0.1 for tests, as a company's egress proxy is for plain-HTTP targets:
 * the client asks it for an absolute URI, it forwards the request and relays the reply. It records
 * each URI asked for and the Proxy-Authorization it came with.
 */
public final class TestProxy implements AutoCloseable {

    /** One proxied request. */
    public record Forwarded(String uri, String proxyAuthorization) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient client = vertx.createHttpClient();
    private final HttpServer server;
    private final List<Forwarded> forwarded = new CopyOnWriteArrayList<>();

    private TestProxy() {
        server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            forwarded.add(new Forwarded(request.uri(), request.getHeader("Proxy-Authorization")));
            RequestOptions options = new RequestOptions().setMethod(request.method()).setAbsoluteURI(request.uri());
            request.headers().forEach(header -> {
                if (!header.getKey().equalsIgnoreCase("Proxy-Authorization") && !header.getKey().equalsIgnoreCase("Host")) {
                    options.addHeader(header.getKey(), header.getValue());
                }
            });
            client.request(options)
                    .compose(upstream -> upstream.send(body))
                    .onSuccess(reply -> reply.body().onSuccess(replyBody -> {
                        request.response().setStatusCode(reply.statusCode());
                        reply.headers().forEach(header -> request.response().putHeader(header.getKey(), header.getValue()));
                        request.response().end(replyBody);
                    }))
                    .onFailure(failure -> request.response().setStatusCode(502).end());
        }));
    }

    public static TestProxy start() {
        TestProxy proxy = new TestProxy();
        proxy.server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
        return proxy;
    }

    public int port() {
        return server.actualPort();
    }

    public List<Forwarded> forwarded() {
        return List.copyOf(forwarded);
    }

    public void reset() {
        forwarded.clear();
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
