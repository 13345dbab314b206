package dev.sluice.api;

import java.util.Map;

/**
 * A request that Sluice answers with an error of its own, in OpenAI's shape. Thrown anywhere on the
 * request path and turned into a response by {@link ErrorMappers}.
 */
public class GatewayException extends RuntimeException {

    public static final String INVALID_REQUEST = "invalid_request_error";
    public static final String SERVER_ERROR = "server_error";

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final Map<String, String> headers;

    public GatewayException(int status, String message, String type, String param, String code,
            Map<String, String> headers) {
        // No stack trace: these are answers, not bugs, and refusals can come thousands a second.
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.headers = Map.copyOf(headers);
    }

    public static GatewayException invalidRequest(int status, String message, String param, String code) {
        return new GatewayException(status, message, INVALID_REQUEST, param, code, Map.of());
    }

    public int status() {
        return status;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public ErrorBody body() {
        return ErrorBody.of(getMessage(), type, param, code);
    }
}
