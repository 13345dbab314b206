package dev.sluice.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.SluiceSettings;
import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses a body over {@code SLUICE_MAX_BODY} by its Content-Length, before a byte of it is read,
 * with a 413 in OpenAI's shape. Quarkus's own limit ({@code quarkus.http.limits.max-body-size},
 * set to the same value) answers first otherwise, with an empty 413; it still guards chunked
 * uploads, which carry no length to check up front.
 */
@ApplicationScoped
public class BodySizeLimit {

    /** Runs before Quarkus's body-size handler and before RESTEasy. */
    private static final int PRIORITY = 100;

    void register(@Observes Filters filters, SluiceSettings settings, ObjectMapper mapper) throws JsonProcessingException {
        long maxBodyBytes = settings.maxBodyBytes();
        String body = mapper.writeValueAsString(ErrorBody.of("The request body is larger than the " + maxBodyBytes
                + " bytes this gateway accepts.", GatewayException.INVALID_REQUEST, null, "request_too_large"));
        filters.register(context -> {
            String contentLength = context.request().getHeader("Content-Length");
            if (contentLength != null && declaredLength(contentLength) > maxBodyBytes) {
                new RequestLog(context.request().method().name(), context.request().path()).finish(413, "request_too_large");
                context.response().setStatusCode(413)
                        .putHeader("Content-Type", "application/json")
                        // the unread body is still on its way: this connection cannot be reused
                        .putHeader("Connection", "close")
                        .end(body);
                return;
            }
            context.next();
        }, PRIORITY);
    }

    private static long declaredLength(String contentLength) {
        try {
            return Long.parseLong(contentLength.trim());
        } catch (NumberFormatException e) {
            return -1; // Vert.x itself rejects a malformed length
        }
    }
}
