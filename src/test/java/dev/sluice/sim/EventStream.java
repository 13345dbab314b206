package dev.sluice.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

import java.util.List;

/**
 * Writes a server-sent event stream: each string of {@code writes} its own HTTP chunk,
 * {@code intervalMillis} apart; then ends the body, or, for an abort, cuts the connection once the
 * chunks are on the wire. Stops as soon as the client hangs up.
 */
final class EventStream {

    private static final CharSequence EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream; charset=utf-8");

    private final Vertx vertx;
    private final Answer answer;
    private final List<String> writes;
    private final long intervalMillis;
    private int next;

    private EventStream(Vertx vertx, Answer answer, List<String> writes, long intervalMillis) {
        this.vertx = vertx;
        this.answer = answer;
        this.writes = writes;
        this.intervalMillis = intervalMillis;
    }

    /** Starts sending; the response's other headers are already set. */
    static void send(Vertx vertx, Answer answer, List<String> writes, long intervalMillis) {
        answer.putProcessingMillis();
        answer.response().setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, EVENT_STREAM);
        new EventStream(vertx, answer, writes, intervalMillis).writeNext();
    }

    private void writeNext() {
        HttpServerResponse response = answer.response();
        Future<Void> written = Future.succeededFuture();
        while (next < writes.size()) {
            if (response.closed()) {
                return; // the client hung up: stop writing
            }
            written = response.write(writes.get(next++));
            if (intervalMillis > 0 && next < writes.size()) {
                vertx.setTimer(intervalMillis, id -> writeNext());
                return;
            }
        }
        if (answer.abort()) {
            // Only once the chunks are on the wire: Vert.x may hold writes until the end of the read
            // that started them, and closing first would drop them.
            written.onComplete(done -> answer.request().connection().close());
        } else if (!response.closed()) {
            response.end();
        }
    }
}
