package dev.sluice.upstream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.streams.ReadStream;

import java.util.Map;
import java.util.Objects;

/**
 * A call on any other endpoint of the upstream's API (files, uploads, batches, audio...), relayed as it
 * came: its method, path and query, the headers worth relaying, and its body.
 *
 * @param method         as the caller sent it
 * @param pathAndQuery   relative to the upstream's base URL, e.g. {@code /files?purpose=batch}
 * @param headers        who asks, as for every call
 * @param contentHeaders the body's {@code Content-Type} and {@code Content-Length} and the caller's
 *                       {@code Accept}, those it sent
 * @param body           what goes with it
 * @param callerId       who asked (never its key)
 */
public record PassThroughRequest(HttpMethod method, String pathAndQuery, UpstreamHeaders headers, Map<String, String> contentHeaders,
        Body body, String callerId) {

    public PassThroughRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pathAndQuery, "pathAndQuery");
        Objects.requireNonNull(headers, "headers");
        contentHeaders = Map.copyOf(contentHeaders);
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(callerId, "callerId");
    }

    /** The same call with other headers (managed mode puts the upstream's own key in). */
    PassThroughRequest withHeaders(UpstreamHeaders replaced) {
        return new PassThroughRequest(method, pathAndQuery, replaced, contentHeaders, body, callerId);
    }

    /** A call's body. */
    public sealed interface Body {
    }

    /** None: {@code GET}, {@code DELETE}, a {@code POST} without one. */
    public record None() implements Body {
    }

    /** Read whole already (a JSON body Sluice had to look into). */
    public record Whole(Buffer bytes) implements Body {
    }

    /**
     * Still arriving from the caller, piped to the upstream as it comes and never held whole (a file of
     * hundreds of MB); it can be sent once only, so such a call is never retried.
     */
    public record Streamed(ReadStream<Buffer> bytes) implements Body {
    }
}
