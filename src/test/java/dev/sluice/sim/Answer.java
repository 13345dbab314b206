package dev.sluice.sim;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.function.LongSupplier;

/**
 * An admitted call being answered.
 *
 * @param request      the call
 * @param serial       unique among the simulator's calls: the number in the ids it creates
 * @param abort        an abort fault: a stream sends about half of itself and then cuts the connection
 * @param arrivalNanos when the call arrived, on {@code nanoTime}, for {@code openai-processing-ms}
 * @param nanoTime     the simulator's clock
 */
record Answer(HttpServerRequest request, long serial, boolean abort, long arrivalNanos, LongSupplier nanoTime) {

    static final CharSequence JSON_TYPE = HttpHeaders.createOptimized("application/json");
    private static final CharSequence PROCESSING_MS = HttpHeaders.createOptimized("openai-processing-ms");

    HttpServerResponse response() {
        return request.response();
    }

    /** A whole JSON reply. */
    void json(int status, String body) {
        sendJson(request.response(), status, body, arrivalNanos, nanoTime);
    }

    /** OpenAI's JSON 404 for an id it does not know. */
    void notFound(String message, String param) {
        json(404, ReplyBodies.error(message, "invalid_request_error", param, null));
    }

    void putProcessingMillis() {
        putProcessingMillis(request.response(), arrivalNanos, nanoTime);
    }

    static void sendJson(HttpServerResponse response, int status, String body, long arrivalNanos, LongSupplier nanoTime) {
        putProcessingMillis(response, arrivalNanos, nanoTime);
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON_TYPE).end(body);
    }

    static void putProcessingMillis(HttpServerResponse response, long arrivalNanos, LongSupplier nanoTime) {
        long elapsedNanos = nanoTime.getAsLong() - arrivalNanos;
        response.headers().set(PROCESSING_MS, Long.toString(Math.max(0, elapsedNanos) / 1_000_000));
    }
}
