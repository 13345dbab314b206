package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the chaos drivers ask of an answer: is an error in OpenAI's shape, and did a 5xx come from Sluice
 * itself or from the upstream, relayed. The simulator marks every reply it admitted with an
 * {@code x-request-id} of {@code req_sim<n>}, which Sluice relays; Sluice's own errors carry none, and a
 * code of Sluice's ({@code upstream_timeout}, {@code internal_error}, ...).
 */
final class AnswerCheck {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AnswerCheck() {
    }

    /** {@code {"error":{"message":"...",...}}} with a text message. */
    static boolean openAiError(byte[] body) {
        try {
            JsonNode error = JSON.readTree(body).path("error");
            return error.isObject() && error.path("message").isTextual();
        } catch (Exception e) {
            return false;
        }
    }

    /** The answer came from the simulated upstream, through Sluice. */
    static boolean relayed(RawAnswer answer) {
        String id = answer.header("x-request-id");
        return id != null && id.startsWith("req_sim");
    }

    /** The error's {@code code} (or its type when it has none), for counts by code; "-" when not JSON. */
    static String errorCode(byte[] body) {
        try {
            JsonNode error = JSON.readTree(body).path("error");
            String code = error.path("code").asText("");
            return !code.isEmpty() && !"null".equals(code) ? code : error.path("type").asText("-");
        } catch (Exception e) {
            return "-";
        }
    }
}
