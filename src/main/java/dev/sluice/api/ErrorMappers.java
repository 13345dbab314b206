package dev.sluice.api;

import dev.sluice.limit.StoreUnavailableException;
import dev.sluice.upstream.UpstreamFailure;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Map;

/**
 * Every error becomes OpenAI's error JSON with a fitting status, type and code: the caller's
 * mistakes are 4xx, the upstream's absence 502/504, and only Sluice's own bugs 500, without a
 * stack trace in the response.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    /** What a failure of the request path answers: its status, OpenAI's error body, and headers (Retry-After). */
    record Answer(int status, ErrorBody body, Map<String, String> headers) {
    }

    /**
     * The answer to a failure of the request path, for the exception mappers here and for {@link MeteredRoutes}:
     * a refusal of Sluice's, the upstream's absence, the store's; anything else is a bug of Sluice's, a 500 that
     * says nothing of it (whoever answers logs it).
     */
    static Answer answerOf(Throwable failure) {
        if (failure instanceof GatewayException gateway) {
            return new Answer(gateway.status(), gateway.body(), gateway.headers());
        }
        if (failure instanceof UpstreamFailure upstream) {
            ErrorBody body = ErrorBody.of(upstream.getMessage(), GatewayException.SERVER_ERROR, null, switch (upstream.kind()) {
                case TIMEOUT -> "upstream_timeout";
                case UNREACHABLE -> "upstream_unreachable";
                case CIRCUIT_OPEN -> "upstream_unavailable";
                case BUSY -> "upstream_busy";
            });
            return new Answer(statusOf(upstream), body, upstream.kind().notCalled()
                    ? Map.of("retry-after", retryAfterSeconds(upstream.retryAfterNanos())) : Map.of());
        }
        if (failure instanceof StoreUnavailableException store) {
            if (store.misconfigured()) {
                // an operator has to act: no use asking again every retry interval
                return new Answer(503, ErrorBody.of("Sluice's shared rate-limit store is not set up for Sluice; its operator "
                        + "has to fix it (Sluice's log says how).", GatewayException.SERVER_ERROR, null, "store_misconfigured"),
                        Map.of("retry-after", "10"));
            }
            return new Answer(503, ErrorBody.of("Sluice cannot reach its shared rate-limit store right now; try again shortly.",
                    GatewayException.SERVER_ERROR, null, "store_unavailable"),
                    Map.of("retry-after", retryAfterSeconds(store.retryAfterNanos())));
        }
        return new Answer(500, ErrorBody.of("Sluice failed to handle the request.", GatewayException.SERVER_ERROR, null,
                "internal_error"), Map.of());
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> gateway(GatewayException e) {
        return response(answerOf(e));
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> upstream(UpstreamFailure e) {
        return response(answerOf(e));
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> storeUnavailable(StoreUnavailableException e) {
        return response(answerOf(e));
    }

    private static RestResponse<ErrorBody> response(Answer answer) {
        RestResponse.ResponseBuilder<ErrorBody> response = json(answer.status(), answer.body());
        answer.headers().forEach(response::header);
        return response.build();
    }

    /** Whole seconds, rounded up, at least 1: a caller told 0 would come straight back. */
    static String retryAfterSeconds(long nanos) {
        long seconds = nanos / 1_000_000_000L + (nanos % 1_000_000_000L == 0 ? 0 : 1);
        return Long.toString(Math.max(1, seconds));
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> notFound(NotFoundException e, HttpServerRequest request) {
        return logged(request, json(404, ErrorBody.unknownUrl(request.method().name(), request.path())).build());
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> notAllowed(NotAllowedException e, HttpServerRequest request) {
        return logged(request, json(405, ErrorBody.of("Method " + request.method() + " is not allowed on "
                + request.path() + ".", GatewayException.INVALID_REQUEST, null, "method_not_allowed")).build());
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> unsupportedMediaType(NotSupportedException e, HttpServerRequest request) {
        return logged(request, json(415, unsupportedMediaType(request.getHeader("Content-Type"))).build());
    }

    /** A metered call's body is JSON; any other content type is refused before a byte of it is read. */
    static ErrorBody unsupportedMediaType(String contentType) {
        return ErrorBody.of("Unsupported Content-Type '" + contentType + "'; send the body as application/json.",
                GatewayException.INVALID_REQUEST, null, "unsupported_media_type");
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> webApplication(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        String type = status >= 500 ? GatewayException.SERVER_ERROR : GatewayException.INVALID_REQUEST;
        return logged(request, json(status, ErrorBody.of("The request could not be served (HTTP " + status + ").",
                type, null, null)).build());
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> unexpected(Throwable e, HttpServerRequest request) {
        logUnexpected(e, request);
        return logged(request, response(answerOf(e)));
    }

    /** A failure {@link #answerOf} answers with a 500: a bug of Sluice's, logged with its stack trace. */
    static void logUnexpected(Throwable e, HttpServerRequest request) {
        // Sluice's own exceptions never carry keys or prompts, so the message is safe to log.
        LOG.errorf(e, "Unexpected failure on %s %s", request.method(), request.path());
    }

    /** The status a failure of the request path turns into; for the request log. */
    static int statusOf(Throwable failure) {
        if (failure instanceof GatewayException gateway) {
            return gateway.status();
        }
        if (failure instanceof StoreUnavailableException) {
            return 503;
        }
        if (failure instanceof UpstreamFailure upstream) {
            return switch (upstream.kind()) {
                case TIMEOUT -> 504;
                case UNREACHABLE -> 502;
                case CIRCUIT_OPEN, BUSY -> 503;
            };
        }
        return 500;
    }

    private static RestResponse.ResponseBuilder<ErrorBody> json(int status, ErrorBody body) {
        return RestResponse.ResponseBuilder.<ErrorBody>create(status).entity(body).type(MediaType.APPLICATION_JSON_TYPE);
    }

    /** Requests refused before they reach {@link RequestRelay} get their log line here. */
    private static RestResponse<ErrorBody> logged(HttpServerRequest request, RestResponse<ErrorBody> response) {
        new RequestLog(request.method().name(), request.path()).finish(response.getStatus(), response.getEntity().error().code());
        return response;
    }
}
