package dev.sluice.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The floor every overhead run is measured against (issue 20): the least a JVM proxy does, on the same
 * Vert.x Sluice runs on. It reads the request body, forwards it with a pooled client to the upstream, and
 * relays the status, the content type and the body; no caller, no limit, no log. Whatever Sluice costs above
 * it is Sluice's own.
 *
 * <pre>java -cp … dev.sluice.bench.BareProxy &lt;listen port&gt; &lt;upstream port&gt;</pre>
 */
public final class BareProxy {

    private BareProxy() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int upstreamPort = Integer.parseInt(args[1]);
        Vertx vertx = Vertx.vertx();
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(256).setKeepAlive(true));
        vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1")).requestHandler(request -> request.body()
                .compose(body -> client.request(new RequestOptions().setMethod(HttpMethod.valueOf(request.method().name()))
                                .setHost("127.0.0.1").setPort(upstreamPort).setURI(request.uri()).setHeaders(request.headers()))
                        .compose(upstream -> upstream.send(body))
                        .compose(response -> response.body().map(answer -> {
                            String type = response.getHeader("content-type");
                            if (type != null) {
                                request.response().putHeader("content-type", type);
                            }
                            return request.response().setStatusCode(response.statusCode()).end(answer);
                        })))
                .onFailure(failure -> request.response().setStatusCode(502).end()))
                .listen(port).toCompletionStage().toCompletableFuture().join();
        System.out.println("bare proxy on 127.0.0.1:" + port + " -> 127.0.0.1:" + upstreamPort);
    }
}
