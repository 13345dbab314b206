package dev.sluice.api;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Map;

/**
 * Refuses a URI over {@link #MAX_URI_BYTES} (414) or headers over {@link #MAX_HEADER_BYTES} in all (431), in
 * OpenAI's shape. Vert.x checks the same while it decodes a request, but answers its own failures with a
 * bare status and no way for an application to change that (its {@code invalidRequestHandler} is set on
 * the server, which Quarkus creates and does not expose). So Sluice sets Vert.x's limits far higher
 * ({@code quarkus.http.limits.max-initial-line-length} and {@code max-header-size}: 1 MiB each, in
 * application.properties) and keeps the real ones here, where the request is whole and can be answered.
 * Only a head over Vert.x's 1 MiB, or one Vert.x cannot parse at all, still gets Vert.x's bare answer.
 */
@ApplicationScoped
public class RequestHeadLimits {

    /** The longest URI (path and query): Vert.x's own default for the whole request line. */
    static final int MAX_URI_BYTES = 4096;
    /** The most header bytes (each {@code name: value} and its line end): Quarkus's own default. */
    static final int MAX_HEADER_BYTES = 20 * 1024;

    /** Before the body is read ({@link BodySizeLimit}): the head is all a refusal here needs. */
    static final int PRIORITY = BodySizeLimit.PRIORITY + 10;

    void register(@Observes Filters filters, EdgeErrors errors) {
        filters.register(context -> {
            HttpServerRequest request = context.request();
            if (request.uri().length() > MAX_URI_BYTES) {
                errors.refuse(request, 414, ErrorBody.of("The request URI is longer than the " + MAX_URI_BYTES
                        + " bytes this gateway accepts.", GatewayException.INVALID_REQUEST, null, "uri_too_long"), Map.of());
                return;
            }
            if (headerBytes(request) > MAX_HEADER_BYTES) {
                errors.refuse(request, 431, ErrorBody.of("The request headers are larger than the " + MAX_HEADER_BYTES
                        + " bytes this gateway accepts.", GatewayException.INVALID_REQUEST, null, "headers_too_large"),
                        Map.of());
                return;
            }
            context.next();
        }, PRIORITY);
    }

    /** The headers as they came on the wire: {@code name: value\r\n} each. */
    private static long headerBytes(HttpServerRequest request) {
        long bytes = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            bytes += header.getKey().length() + header.getValue().length() + 4;
        }
        return bytes;
    }
}
