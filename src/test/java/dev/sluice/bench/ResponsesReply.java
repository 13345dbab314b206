package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Set;

/**
 * What a Responses API reply came to, as a client reads it: the Response object's {@code status} and
 * its {@code usage.input_tokens} and {@code output_tokens}; in a stream, those of the response its
 * terminal event ({@code response.completed}, {@code response.incomplete} or {@code response.failed})
 * carries.
 *
 * @param status       {@code completed}, {@code incomplete}, {@code failed}, ...; {@link #NONE} when the
 *                     reply had no Response object (not JSON, or a stream without a terminal event)
 * @param inputTokens  0 when the reply reports no usage
 * @param outputTokens 0 when the reply reports no usage
 */
record ResponsesReply(String status, long inputTokens, long outputTokens) {

    static final String NONE = "none";
    private static final Set<String> TERMINAL_EVENTS = Set.of("response.completed", "response.incomplete", "response.failed");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An answer the caller can use: the model finished, or stopped at {@code max_output_tokens}. */
    boolean answered() {
        return status.equals("completed") || status.equals("incomplete");
    }

    static ResponsesReply read(String body, boolean stream) {
        return stream ? fromStream(body) : of(parse(body));
    }

    private static ResponsesReply fromStream(String body) {
        JsonNode last = null;
        String event = null;
        for (String line : body.split("\n")) {
            if (line.startsWith("event:")) {
                event = line.substring("event:".length()).strip();
            } else if (line.startsWith("data:") && TERMINAL_EVENTS.contains(event)) {
                JsonNode data = parse(line.substring("data:".length()));
                last = data == null ? null : data.get("response");
            }
        }
        return of(last);
    }

    private static ResponsesReply of(JsonNode response) {
        if (response == null || !response.path("status").isTextual()) {
            return new ResponsesReply(NONE, 0, 0);
        }
        JsonNode usage = response.path("usage");
        return new ResponsesReply(response.get("status").textValue(), usage.path("input_tokens").asLong(0),
                usage.path("output_tokens").asLong(0));
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            return null;
        }
    }
}
