package dev.sluice.api;

import dev.sluice.config.SluiceSettings;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.io.ByteArrayInputStream;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Reads a resource's request body itself, counting bytes as they arrive, so that {@code SLUICE_MAX_BODY}
 * holds for a chunked body too (a {@code Content-Length} over it never gets here: {@link BodySizeLimit}).
 * The first chunk that takes the body over the limit is refused with a 413 in OpenAI's shape, and what
 * follows of the body is dropped until the connection closes; a body that fits becomes the request's
 * entity, which RESTEasy then reads instead of the connection. Left to RESTEasy, a chunked body was
 * checked against Quarkus's limit only after it had buffered some kilobytes, and over that it failed
 * with a bare 413 and two stack traces.
 *
 * <p>A request filter rather than a Vert.x one: RESTEasy pauses the request when it takes it on, which an
 * HTTP/2 request whose body was already read refuses.
 */
public class CountedBodyReader {

    private final long maxBodyBytes;
    private final ErrorBody tooLarge;

    public CountedBodyReader(SluiceSettings settings) {
        this.maxBodyBytes = settings.maxBodyBytes();
        this.tooLarge = BodySizeLimit.tooLarge(maxBodyBytes);
    }

    @ServerRequestFilter
    public Uni<RestResponse<ErrorBody>> readBody(ContainerRequestContext context, HttpServerRequest request, ResourceInfo resource) {
        if (request.isEnded() || resource.getResourceMethod() != null && resource.getResourceMethod().isAnnotationPresent(StreamedBody.class)) {
            return Uni.createFrom().nullItem();
        }
        return Uni.createFrom().emitter(emitter -> read(context, request, emitter));
    }

    private void read(ContainerRequestContext context, HttpServerRequest request, UniEmitter<? super RestResponse<ErrorBody>> emitter) {
        read(request, maxBodyBytes, tooLarge, body -> {
            context.setEntityStream(new ByteArrayInputStream(body.getBytes()));
            emitter.complete(null);
        }, (status, refusal) -> emitter.complete(refusal(request, status, refusal)));
    }

    /**
     * Reads a body whole, counting it as it arrives, and hands it on once: to {@code whole} when it ended within
     * {@code maxBodyBytes}, else to {@code refused} with the status and error to answer: 413 {@code tooLarge} at
     * the first chunk over the limit (what follows of the body is dropped), 400 for a body whose framing Vert.x
     * could not decode or that was cut short.
     */
    static void read(HttpServerRequest request, long maxBodyBytes, ErrorBody tooLarge, Consumer<Buffer> whole,
            BiConsumer<Integer, ErrorBody> refused) {
        Buffer body = Buffer.buffer();
        boolean[] answered = {false};
        request.handler(chunk -> {
            if (answered[0]) {
                return; // refused: the connection closes after the 413, nothing more is kept meanwhile
            }
            if (body.length() + (long) chunk.length() > maxBodyBytes) {
                answered[0] = true;
                refused.accept(413, tooLarge);
                return;
            }
            body.appendBuffer(chunk);
        });
        request.endHandler(ended -> {
            if (!answered[0]) {
                answered[0] = true;
                whole.accept(body);
            }
        });
        request.exceptionHandler(failure -> {
            // a chunk Vert.x could not decode, or the caller hung up mid-body
            if (!answered[0]) {
                answered[0] = true;
                refused.accept(400, ErrorBody.of("The request body could not be read: its framing is malformed or it was "
                        + "cut short.", GatewayException.INVALID_REQUEST, null, "malformed_body"));
            }
        });
        if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
            // a caller that asked sends its body only once told to; RESTEasy would have told it when it started reading
            request.response().writeContinue();
        }
        request.resume();
    }

    /** The rest of the body is still on its way: this connection cannot carry another request. */
    private static RestResponse<ErrorBody> refusal(HttpServerRequest request, int status, ErrorBody body) {
        EdgeErrors.log(request, status, body);
        RestResponse.ResponseBuilder<ErrorBody> response = RestResponse.ResponseBuilder.<ErrorBody>create(status)
                .entity(body).type(MediaType.APPLICATION_JSON_TYPE);
        if (request.version() != HttpVersion.HTTP_2) { // HTTP/2 has no Connection header
            response.header("Connection", "close");
        }
        return response.build();
    }
}
