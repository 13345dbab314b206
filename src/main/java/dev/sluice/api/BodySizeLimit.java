package dev.sluice.api;

import dev.sluice.config.SluiceSettings;
import dev.sluice.openai.Operation;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Map;

/**
 * Refuses a body whose {@code Content-Length} is over {@code SLUICE_MAX_BODY}, before a byte of it is read,
 * with a 413 in OpenAI's shape. A body without a length (chunked) is counted as it arrives by
 * {@link CountedBodyReader}. Quarkus's own limit ({@code quarkus.http.limits.max-body-size}, set to the same
 * value) would answer either with a bare 413; it stays as a backstop for routes outside RESTEasy.
 */
@ApplicationScoped
public class BodySizeLimit {

    /** Runs before Quarkus's body-size handler and before RESTEasy; after {@link ShutdownRefusal} and {@link RequestHeadLimits}. */
    static final int PRIORITY = 100;

    void register(@Observes Filters filters, SluiceSettings settings, EdgeErrors errors) {
        long maxBodyBytes = settings.maxBodyBytes();
        ErrorBody tooLarge = tooLarge(maxBodyBytes);
        ErrorBody uploadTooLarge = CountedStream.tooLarge(settings.maxUploadBytes()).body();
        filters.register(context -> {
            HttpServerRequest request = context.request();
            String contentLength = request.getHeader("Content-Length");
            boolean streamed = streamsThrough(request);
            if (contentLength != null && declaredLength(contentLength) > (streamed ? settings.maxUploadBytes() : maxBodyBytes)) {
                errors.refuse(request, 413, streamed ? uploadTooLarge : tooLarge, Map.of());
                return;
            }
            context.next();
        }, PRIORITY);
    }

    /**
     * Whether the body streams through to the upstream unread ({@link PassThrough}): one that is not JSON, to
     * a /v1 path that is none of the metered operations. {@code SLUICE_MAX_UPLOAD} bounds it instead.
     */
    static boolean streamsThrough(HttpServerRequest request) {
        String path = request.path();
        String type = request.getHeader("Content-Type");
        return path != null && path.startsWith(Operation.Paths.VERSION + "/") && Operation.ofPublicPath(path).isEmpty()
                && (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json"));
    }

    static ErrorBody tooLarge(long maxBodyBytes) {
        return ErrorBody.of("The request body is larger than the " + maxBodyBytes + " bytes this gateway accepts.",
                GatewayException.INVALID_REQUEST, null, "request_too_large");
    }

    private static long declaredLength(String contentLength) {
        try {
            return Long.parseLong(contentLength.trim());
        } catch (NumberFormatException e) {
            return -1; // Vert.x itself rejects a malformed length
        }
    }
}
