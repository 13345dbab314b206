package dev.sluice.api;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Map;

/**
 * Failures of Vert.x's router itself, in OpenAI's shape instead of the bare status Quarkus's last failure
 * handler sends: a request the router refuses before any route runs (a path it cannot decode, HTTP/1.1
 * without {@code Host}) is a 400 {@code malformed_request}; a 404 or 405 no route answered, the usual
 * JSON (RESTEasy takes every path today and answers those through {@link ErrorMappers}); a failure with
 * an exception, a 500 logged like {@link ErrorMappers#unexpected}.
 */
@ApplicationScoped
public class RouterErrors {

    private static final Logger LOG = Logger.getLogger(RouterErrors.class);

    void register(@Observes Router router, EdgeErrors errors) {
        // before Quarkus's own failure handler, which is the router's last route
        router.route().order(Integer.MIN_VALUE).failureHandler(context -> {
            if (context.response().headWritten()) {
                context.next(); // too late for an answer of Sluice's: Quarkus closes what it can
                return;
            }
            int status = context.statusCode() < 400 ? 500 : context.statusCode();
            errors.refuse(context.request(), status, body(context, status), Map.of());
        });
    }

    private static ErrorBody body(RoutingContext context, int status) {
        String method = context.request().method().name();
        String path = context.request().path();
        return switch (status) {
            case 400 -> ErrorBody.of("The request is malformed" + (context.failure() == null ? "."
                    : ": " + context.failure().getMessage() + "."), GatewayException.INVALID_REQUEST, null, "malformed_request");
            case 404 -> ErrorBody.unknownUrl(method, path);
            case 405 -> ErrorBody.of("Method " + method + " is not allowed on " + path + ".",
                    GatewayException.INVALID_REQUEST, null, "method_not_allowed");
            default -> {
                if (status >= 500) {
                    LOG.errorf(context.failure(), "Unexpected failure on %s %s", method, path);
                    yield ErrorBody.of("Sluice failed to handle the request.", GatewayException.SERVER_ERROR, null, "internal_error");
                }
                yield ErrorBody.of("The request could not be served (HTTP " + status + ").", GatewayException.INVALID_REQUEST,
                        null, null);
            }
        };
    }
}
