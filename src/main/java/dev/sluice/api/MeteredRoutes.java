package dev.sluice.api;

import dev.sluice.config.SluiceSettings;
import dev.sluice.openai.Operation;
import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Locale;
import java.util.Map;

/**
 * The model calls ({@code POST /v1/chat/completions}, {@code /completions}, {@code /embeddings}, {@code /responses},
 * {@code /moderations}) as Vert.x routes: the body read whole and counted ({@link CountedBodyReader#read}), handed to
 * {@link RequestRelay}, and the upstream's reply written back as it came ({@link ReplyWriter}); a failure before the
 * reply answers in OpenAI's error JSON ({@link ErrorMappers#answerOf}).
 *
 * <p>Why not a JAX-RS resource like the rest of the surface: these are the requests a gateway serves by the
 * thousand a second, and RESTEasy's chain around them (its request filters and a second copy of the body,
 * parameter injection, the Uni's response handler, content-type handling for a reply it does not write) was
 * about 5 % of Sluice's CPU a request on the overhead bench while doing nothing this route needs (issue 20;
 * the figures are in docs/architecture.md). Routed here, the request reaches the relay on the event loop that
 * read it, after the same filters (ShutdownRefusal, RequestHeadLimits, BodySizeLimit), and a caller who hangs
 * up cancels its request, as it did under RESTEasy. Everything else stays a resource ({@link OpenAiResource}).
 */
@ApplicationScoped
public class MeteredRoutes {

    /**
     * Where Quarkus's metrics and traces read a request's route from (its {@code uri} tag, its server span's name and
     * {@code http.route}). Quarkus REST sets it for its resources, ahead of any route, from the resource it would
     * have chosen: here {@code /v1/{other: .+}}, which this route corrects.
     */
    private static final String URL_PATH_TEMPLATE = "UrlPathTemplate";

    void register(@Observes Router router, RequestRelay relay, SluiceSettings settings, EdgeErrors errors) {
        long maxBodyBytes = settings.maxBodyBytes();
        ErrorBody tooLarge = BodySizeLimit.tooLarge(maxBodyBytes);
        for (Operation operation : Operation.values()) {
            if (operation.metered()) {
                router.post(operation.publicPath()).handler(context -> serve(context, operation, relay, errors, maxBodyBytes, tooLarge));
            }
        }
    }

    private static void serve(RoutingContext context, Operation operation, RequestRelay relay, EdgeErrors errors,
            long maxBodyBytes, ErrorBody tooLarge) {
        HttpServerRequest request = context.request();
        if (VertxContext.isOnDuplicatedContext()) {
            ContextLocals.put(URL_PATH_TEMPLATE, operation.publicPath());
        }
        String contentType = request.getHeader("Content-Type");
        if (!json(contentType)) {
            // the body stays unread: the connection closes after the answer
            errors.refuse(request, 415, ErrorMappers.unsupportedMediaType(contentType), Map.of());
            return;
        }
        if (request.isEnded()) { // read already, by a body handler of Quarkus's
            Buffer read = context.body().buffer();
            relay(request, operation, read == null ? new byte[0] : read.getBytes(), relay, errors);
            return;
        }
        CountedBodyReader.read(request, maxBodyBytes, tooLarge, body -> relay(request, operation, body.getBytes(), relay, errors),
                (status, refusal) -> errors.refuse(request, status, refusal, Map.of()));
    }

    private static void relay(HttpServerRequest request, Operation operation, byte[] body, RequestRelay relay, EdgeErrors errors) {
        Cancellable call = ReplyWriter.write(relay.relay(operation, request, body), request.response()).subscribe().with(
                written -> {
                }, failure -> failed(request, failure, errors));
        // the caller hung up: whatever its request still waits for (a hold, the upstream) is let go
        request.response().closeHandler(closed -> call.cancel());
    }

    /** The relay logged the request already; here it is only answered, when nothing of its reply went out yet. */
    private static void failed(HttpServerRequest request, Throwable failure, EdgeErrors errors) {
        if (request.response().headWritten()) {
            request.response().reset(); // too late for an answer: a cut connection says the reply is incomplete
            return;
        }
        ErrorMappers.Answer answer = ErrorMappers.answerOf(failure);
        if (answer.status() == 500) {
            ErrorMappers.logUnexpected(failure, request);
        }
        errors.answerUnlogged(request, answer.status(), answer.body(), answer.headers());
    }

    /**
     * Whether the body is declared JSON, as JAX-RS's {@code @Consumes(application/json)} read it: no content type
     * (taken as JSON), {@code application/json} with any parameters, or a wildcard that includes it.
     */
    static boolean json(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return true;
        }
        int parameters = contentType.indexOf(';');
        String type = (parameters < 0 ? contentType : contentType.substring(0, parameters)).trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.equals("application/*") || type.equals("*/*");
    }
}
