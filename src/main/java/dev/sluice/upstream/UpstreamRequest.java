package dev.sluice.upstream;

import dev.sluice.openai.Operation;
import java.util.Objects;

/**
 * One call to make upstream.
 *
 * @param operation which API operation
 * @param body      the JSON body to send as it is; {@code null} for {@link Operation#MODELS}
 * @param stream    the caller asked for a server-sent event stream
 * @param headers   the request headers to send
 * @param callerId  who asked (the caller's id, never its key): one caller's failures alone do not
 *                  open a breaker ({@link FailureWitnesses})
 */
public record UpstreamRequest(Operation operation, byte[] body, boolean stream, UpstreamHeaders headers, String callerId) {

    public UpstreamRequest {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(callerId, "callerId");
        if ((body == null) != (operation == Operation.MODELS)) {
            throw new IllegalArgumentException(operation + (body == null ? " needs a body" : " takes no body"));
        }
    }
}
