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
 *
 * <p>On AWS Lambda (the {@code lambda} build) there is no connection to stream to: API Gateway
 * hands the caller a function's response once it is complete. There a stream is gathered and
 * written whole, with its Content-Length: the caller gets the complete event stream, byte for byte,
 * when the upstream has sent its last event. (Written chunked, Quarkus's Lambda handler would pass
 * on an empty Transfer-Encoding header.)
 */
final class ReplyWriter {

    /** Whether this build answers through Quarkus's Lambda handler rather than an HTTP server. */
    static final boolean RESPONSES_BUFFERED = classPresent("io.quarkus.amazon.lambda.http.LambdaHttpHandler");

    private ReplyWriter() {
    }

    static Uni<Void> write(Uni<UpstreamReply> reply, HttpServerResponse response) {
        return reply.flatMap(upstream -> {
            if (!upstream.isStream()) {
                return writeWhole(upstream, upstream.body(), response);
            }
            return RESPONSES_BUFFERED ? gatherStream(upstream, response) : writeStream(upstream, response);
        });
    }

    /**
     * On a server, done at once: if the caller has gone meanwhile, there is no one left to tell. On
     * Lambda, done once the response has been handed to the connection: Quarkus's virtual connection
     * reads the headers on its own event loop, and what Quarkus does after the method's Uni completes
     * must not touch them meanwhile (it did: intermittent 500s). A server's connection writes on the
     * request's own event loop, where the race does not arise, so the server path stays as it was.
     */
    private static Uni<Void> writeWhole(UpstreamReply reply, Buffer body, HttpServerResponse response) {
        writeHead(reply, response);
        var written = response.end(body);
        if (!RESPONSES_BUFFERED) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().completionStage(written.toCompletionStage()).onFailure().recoverWithNull();
    }

    /**
     * A stream read to its end and written whole. Only 2xx streams get here, and the relay has
     * already turned their mid-stream failures into a final error event; a failure before any byte
     * fails the Uni, so the exception mappers answer.
     */
    private static Uni<Void> gatherStream(UpstreamReply reply, HttpServerResponse response) {
        return reply.stream().collect().in(Buffer::buffer, Buffer::appendBuffer)
                .flatMap(body -> writeWhole(reply, body, response));
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

    private static boolean classPresent(String name) {
        try {
            Class.forName(name, false, ReplyWriter.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
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
