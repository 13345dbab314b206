package dev.sluice.upstream;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A scripted OpenAI-compatible upstream on 127.0.0.1 for tests: each request takes the next
 * {@link Reply} from the script (a plain completion when the script is empty) and is recorded, so
 * a test can assert what reached the upstream and how often.
 */
public final class TestUpstream implements AutoCloseable {

    public static final String COMPLETION = """
            {"id":"chatcmpl-test","object":"chat.completion","created":1767225600,"model":"gpt-test",\
            "choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],\
            "usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}""";

    private final Vertx vertx;
    private final HttpServer server;
    private final Queue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();

    private TestUpstream() {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer()
                .requestHandler(request -> request.body().onSuccess(body -> {
                    requests.add(new RecordedRequest(request.method().name(), request.path(),
                            MultiMap.caseInsensitiveMultiMap().addAll(request.headers()), body.getBytes()));
                    Reply reply = script.poll();
                    (reply == null ? Reply.completion() : reply).respond(request, vertx);
                }));
    }

    /** Starts on a free port of 127.0.0.1. */
    public static TestUpstream start() {
        TestUpstream upstream = new TestUpstream();
        upstream.server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
        return upstream;
    }

    /** The base URL Sluice is pointed at, ending in /v1. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.actualPort() + "/v1";
    }

    /** Queues replies for the next requests, in order. */
    public TestUpstream enqueue(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    /** Forgets the script and the recorded requests. */
    public void reset() {
        script.clear();
        requests.clear();
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** A request as the upstream received it. */
    public record RecordedRequest(String method, String path, MultiMap headers, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** How the upstream answers one request. */
    @FunctionalInterface
    public interface Reply {

        void respond(HttpServerRequest request, Vertx vertx);

        /** 200 with a small chat completion. */
        static Reply completion() {
            return json(200, COMPLETION, Map.of("x-request-id", "req-test-1", "openai-processing-ms", "12",
                    "x-ratelimit-remaining-requests", "499"));
        }

        static Reply json(int status, String body, Map<String, String> headers) {
            return (request, vertx) -> {
                HttpServerResponse response = request.response().setStatusCode(status);
                response.putHeader("content-type", "application/json");
                headers.forEach(response::putHeader);
                response.end(body);
            };
        }

        /**
         * 200 {@code text/event-stream}: sends {@code first}, waits until {@code gate} completes,
         * then sends {@code rest} and ends. A test completes the gate only after it has seen the
         * first chunk, which proves that nothing between it and the upstream buffers the stream.
         */
        static Reply gatedStream(String first, CompletableFuture<Void> gate, String... rest) {
            return (request, vertx) -> {
                HttpServerResponse response = request.response().setStatusCode(200).setChunked(true);
                response.putHeader("content-type", "text/event-stream");
                response.putHeader("x-request-id", "req-stream-1");
                response.write(first);
                gate.orTimeout(30, TimeUnit.SECONDS).whenComplete((ignored, failure) -> vertx.runOnContext(v -> {
                    for (String chunk : rest) {
                        response.write(chunk);
                    }
                    response.end();
                }));
            };
        }

        /** Answers as {@code then} once {@code gate} completes: a request the upstream is still working on until then. */
        static Reply after(CompletableFuture<Void> gate, Reply then) {
            return (request, vertx) -> gate.orTimeout(30, TimeUnit.SECONDS)
                    .whenComplete((ignored, failure) -> vertx.runOnContext(v -> then.respond(request, vertx)));
        }

        /** 200 {@code text/event-stream} with {@code chunks} sent {@code pauseMillis} apart. */
        static Reply stream(long pauseMillis, String... chunks) {
            return (request, vertx) -> {
                HttpServerResponse response = request.response().setStatusCode(200).setChunked(true);
                response.putHeader("content-type", "text/event-stream");
                Iterator<String> next = List.of(chunks).iterator();
                writeNext(vertx, response, next, pauseMillis);
            };
        }

        private static void writeNext(Vertx vertx, HttpServerResponse response, Iterator<String> next, long pauseMillis) {
            if (!next.hasNext()) {
                response.end();
                return;
            }
            response.write(next.next());
            vertx.setTimer(Math.max(1, pauseMillis), id -> writeNext(vertx, response, next, pauseMillis));
        }

        /**
         * 200 {@code text/event-stream} that never ends: a chunk every 20 ms until the connection is
         * closed, which completes {@code closed}. Shows whether a caller hanging up stops the upstream.
         */
        static Reply endlessStream(CompletableFuture<Void> closed) {
            return (request, vertx) -> {
                HttpServerResponse response = request.response().setStatusCode(200).setChunked(true);
                response.putHeader("content-type", "text/event-stream");
                long timer = vertx.setPeriodic(20, id -> response.write("data: {\"tick\":true}\n\n"));
                response.closeHandler(v -> {
                    vertx.cancelTimer(timer);
                    closed.complete(null);
                });
                response.write("data: {\"tick\":true}\n\n");
            };
        }

        /** 200 {@code text/event-stream}: sends {@code chunks}, then drops the connection mid-stream. */
        static Reply streamThenDrop(String... chunks) {
            return (request, vertx) -> {
                HttpServerResponse response = request.response().setStatusCode(200).setChunked(true);
                response.putHeader("content-type", "text/event-stream");
                for (String chunk : chunks) {
                    response.write(chunk);
                }
                vertx.setTimer(50, id -> request.connection().close());
            };
        }

        /** Never answers; the connection stays open. */
        static Reply hang() {
            return (request, vertx) -> {
            };
        }

        /** Closes the connection without answering. */
        static Reply closeConnection() {
            return (request, vertx) -> request.connection().close();
        }
    }

    /** SSE chunks of a short streamed chat completion, each one event. */
    public static List<String> streamChunks() {
        List<String> chunks = new ArrayList<>();
        for (String word : List.of("Hel", "lo", "!")) {
            chunks.add("data: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"content\":\"" + word + "\"}}]}\n\n");
        }
        chunks.add("data: [DONE]\n\n");
        return chunks;
    }
}
