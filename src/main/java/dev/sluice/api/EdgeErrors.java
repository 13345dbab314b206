package dev.sluice.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes OpenAI's error JSON straight to the Vert.x response, for the refusals Sluice makes before a
 * request reaches RESTEasy (and so its exception mappers): a body or head over the limits, a request
 * arriving while Sluice stops; and for the model calls' routes, which RESTEasy never sees ({@link MeteredRoutes}).
 * Each is logged once by {@link RequestLog}, with the status the caller got.
 */
@ApplicationScoped
public class EdgeErrors {

    private static final int MAX_LOGGED_PATH = 200;

    private final ObjectMapper mapper;

    public EdgeErrors(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * Answers {@code status} with {@code body} and {@code headers}, and ends the connection after it:
     * whatever of the request is still unread (a body Sluice stopped reading, a request cut short) would
     * otherwise be taken for the next request on it, and a stopping instance wants its callers elsewhere.
     */
    public void refuse(HttpServerRequest request, int status, ErrorBody body, Map<String, String> headers) {
        write(request, status, body, headers, true, true);
    }

    /** Answers {@code status} with {@code body}, keeping the connection for the caller's next request. */
    public void answer(HttpServerRequest request, int status, ErrorBody body) {
        write(request, status, body, Map.of(), false, true);
    }

    /**
     * Answers {@code status} with {@code body} and {@code headers}, keeping the connection, for a request whose log
     * line is written already (a model call the relay failed: {@link MeteredRoutes}).
     */
    public void answerUnlogged(HttpServerRequest request, int status, ErrorBody body, Map<String, String> headers) {
        write(request, status, body, headers, false, false);
    }

    /** @param logHere whether the answer is the request's log line too (not when the relay logged it already) */
    private void write(HttpServerRequest request, int status, ErrorBody body, Map<String, String> headers,
            boolean closeConnection, boolean logHere) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return; // the caller is gone, or an answer is already on its way
        }
        if (logHere) {
            log(request, status, body);
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json");
        headers.forEach(response::putHeader);
        if (closeConnection && request.version() != HttpVersion.HTTP_2) { // HTTP/2 has no Connection header
            response.putHeader("Connection", "close");
        }
        response.end(json(body));
    }

    /** The request's log line, for a refusal made outside the resources (here or {@link CountedBodyReader}). */
    static void log(HttpServerRequest request, int status, ErrorBody body) {
        new RequestLog(request.method().name(), loggedPath(request.path())).finish(status, body.error().code());
    }

    /** A path as long as the URI limit allows would swamp the log line: its start says enough. */
    private static String loggedPath(String path) {
        return path == null ? "-" : path.length() <= MAX_LOGGED_PATH ? path : path.substring(0, MAX_LOGGED_PATH) + "...";
    }

    private String json(ErrorBody body) {
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a record of four strings always serialises
        }
    }
}
