package dev.sluice.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.ArrayList;
import java.util.List;

/**
 * A streamed chat completion: {@code chunks} content events (the first also carries the role, the
 * last the finish reason), the usage event when asked for, then {@code data: [DONE]}, each its own
 * HTTP chunk, {@code chunk-interval-ms} apart. Only choice 0 is streamed. An aborted stream sends
 * about half of the content events (at least one) and then closes the connection mid-body.
 */
final class ChatStream {

    private static final CharSequence EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream; charset=utf-8");
    static final String DONE = "data: [DONE]\n\n";

    private final Vertx vertx;
    private final HttpServerRequest request;
    private final List<String> events;
    private final long intervalMillis;
    private final boolean abort;
    private int next;

    private ChatStream(Vertx vertx, HttpServerRequest request, List<String> events, long intervalMillis, boolean abort) {
        this.vertx = vertx;
        this.request = request;
        this.events = events;
        this.intervalMillis = intervalMillis;
        this.abort = abort;
    }

    /**
     * Starts sending; the response's other headers are already set.
     *
     * @param completionTokens tokens of the reply, spread over the chunks one word a token
     */
    static void send(Vertx vertx, HttpServerRequest request, SimulatorConfig config, String id, long createdSeconds,
                     String quotedModel, ApiRequest api, int completionTokens, String finishReason, boolean abort) {
        int chunks = config.chunks();
        int sent = abort ? Math.max(1, chunks / 2) : chunks;
        List<String> events = new ArrayList<>(sent + 2);
        for (int index = 0; index < sent; index++) {
            String content = ReplyBodies.words(index * completionTokens / chunks, (index + 1) * completionTokens / chunks);
            events.add(ReplyBodies.chunkEvent(id, createdSeconds, quotedModel, content, index == 0,
                    index == chunks - 1 ? finishReason : null));
        }
        if (!abort) {
            if (api.includeUsage()) {
                events.add(ReplyBodies.usageEvent(id, createdSeconds, quotedModel, api.promptTokens(),
                        (long) completionTokens * api.choices()));
            }
            events.add(DONE);
        }
        request.response().setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, EVENT_STREAM);
        new ChatStream(vertx, request, events, config.chunkIntervalMillis(), abort).writeNext();
    }

    private void writeNext() {
        HttpServerResponse response = request.response();
        Future<Void> written = Future.succeededFuture();
        while (next < events.size()) {
            if (response.closed()) {
                return; // the client hung up: stop writing
            }
            written = response.write(events.get(next++));
            if (intervalMillis > 0 && next < events.size()) {
                vertx.setTimer(intervalMillis, id -> writeNext());
                return;
            }
        }
        if (abort) {
            // Only once the chunks are on the wire: Vert.x may hold writes until the end of the read
            // that started them, and closing first would drop them.
            written.onComplete(done -> request.connection().close());
        } else if (!response.closed()) {
            response.end();
        }
    }
}
