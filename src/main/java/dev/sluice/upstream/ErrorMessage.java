package dev.sluice.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;

/** The {@code error.message} of an upstream's error body in OpenAI's shape, for the few replies Sluice reads. */
final class ErrorMessage {

    /** Not the application's mapper: a plain tree read needs none of its settings. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private ErrorMessage() {
    }

    /** @return null when the body is empty, not JSON, or has no textual {@code error.message} */
    static String of(Buffer body) {
        if (body == null || body.length() == 0) {
            return null;
        }
        try {
            JsonNode message = JSON.readTree(body.getBytes()).path("error").path("message");
            return message.isTextual() ? message.textValue() : null;
        } catch (IOException notJson) {
            return null;
        }
    }
}
