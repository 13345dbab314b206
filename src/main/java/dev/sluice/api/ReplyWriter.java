package dev.sluice.api;

import dev.sluice.upstream.UpstreamReply;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;

/**
 * Writes an upstream reply to the caller's response as it is: status, relayed headers, and the body
 * with a Content-Length when it is whole, or chunk by chunk when it is a stream.
 *
 * <p>Streams are back-pressured: the next chunk is asked of the upstream only once the caller's
 * connection has room for it, and a caller who hangs up cancels the upstream stream. Failures
 * before the first byte fail the returned Uni, so the exception mappers answer in OpenAI's shape;
 * after it, the only honest signal left is to cut the connection.
 */
final class ReplyWriter {

    private ReplyWriter() {
    }

    static Uni<Void> write(Uni<UpstreamReply> reply, HttpServerResponse response) {
        return reply.flatMap(upstream -> upstream.isStream() ? writeStream(upstream, response) : writeWhole(upstream, response));
    }

    private static Uni<Void> writeWhole(UpstreamReply reply, HttpServerResponse response) {
        writeHead(reply, response);
        // Not awaited: if the caller has gone meanwhile, there is no one left to tell.
        response.end(reply.body());
        return Uni.createFrom().voidItem();
    }

    private static Uni<Void> writeStream(UpstreamReply reply, HttpServerResponse response) {
        return Uni.createFrom().emitter(emitter -> reply.stream().subscribe().withSubscriber(
                new StreamSubscriber(reply, response, emitter)));
    }

    private static void writeHead(UpstreamReply reply, HttpServerResponse response) {
        response.setStatusCode(reply.status());
        for (Map.Entry<String, List<String>> header : reply.headers().entrySet()) {
            response.headers().add(header.getKey(), header.getValue());
        }
    }

    private static final class StreamSubscriber implements Flow.Subscriber<Buffer> {

        private final UpstreamReply reply;
        private final HttpServerResponse response;
        private final UniEmitter<? super Void> done;
        private Flow.Subscription subscription;
        private boolean headWritten;

        StreamSubscriber(UpstreamReply reply, HttpServerResponse response, UniEmitter<? super Void> done) {
            this.reply = reply;
            this.response = response;
            this.done = done;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            response.closeHandler(closed -> subscription.cancel());
            done.onTermination(subscription::cancel);
            subscription.request(1);
        }

        @Override
        public void onNext(Buffer chunk) {
            if (!headWritten) {
                writeHead(reply, response);
                response.setChunked(true);
                headWritten = true;
            }
            response.write(chunk);
            if (response.writeQueueFull()) {
                response.drainHandler(drained -> subscription.request(1));
            } else {
                subscription.request(1);
            }
        }

        @Override
        public void onError(Throwable failure) {
            if (!headWritten) {
                done.fail(failure);
                return;
            }
            // Mid-stream: the status is long gone. Closing the connection without the final chunk
            // tells the caller's HTTP client that the body is incomplete.
            response.reset();
            done.complete(null);
        }

        @Override
        public void onComplete() {
            if (!headWritten) {
                writeHead(reply, response);
            }
            response.end();
            done.complete(null);
        }
    }
}
