package dev.sluice.api;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;

import java.util.Map;

/**
 * A caller's body as it streams through to the upstream, counted: the first chunk that takes it over
 * {@code maxBytes} ends it with a 413 in OpenAI's shape, which the upstream call fails with (it is reset,
 * so the upstream never gets the rest), and nothing more of it is passed on.
 */
final class CountedStream implements ReadStream<Buffer> {

    private final HttpServerRequest request;
    private final long maxBytes;
    private long seenBytes;
    private boolean overLimit;
    private Handler<Throwable> exceptionHandler;

    CountedStream(HttpServerRequest request, long maxBytes) {
        this.request = request;
        this.maxBytes = maxBytes;
    }

    static GatewayException tooLarge(long maxBytes) {
        return new GatewayException(413, "The request body is larger than the " + maxBytes + " bytes this gateway relays.",
                GatewayException.INVALID_REQUEST, null, "request_too_large", Map.of("Connection", "close"));
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        this.exceptionHandler = handler;
        request.exceptionHandler(handler);
        return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
        if (handler == null) {
            request.handler(null);
            return this;
        }
        request.handler(chunk -> {
            if (overLimit) {
                return;
            }
            seenBytes += chunk.length();
            if (seenBytes > maxBytes) {
                overLimit = true;
                if (exceptionHandler != null) {
                    exceptionHandler.handle(tooLarge(maxBytes));
                }
                return;
            }
            handler.handle(chunk);
        });
        return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
        request.pause();
        return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
        request.resume();
        return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
        request.fetch(amount);
        return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
        request.endHandler(ended -> {
            if (!overLimit && endHandler != null) {
                endHandler.handle(ended);
            }
        });
        return this;
    }
}
