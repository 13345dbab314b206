package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpServerRequest;

import java.io.IOException;
import java.util.List;

/**
 * {@code POST /v1/moderations}, one request and no tokens: a result per input (one for a string or a
 * list of text and image parts, one a string for a list of strings), never flagged, in the shape of
 * OpenAI's {@code CreateModerationResponse} with the 13 categories of {@code omni-moderation-latest}
 * (https://platform.openai.com/docs/api-reference/moderations/create; the schema in OpenAI's OpenAPI description, github.com/openai/openai-openapi {@code openapi.yaml} (read at f85dbe2)).
 */
final class ModerationHandler {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CATEGORIES = List.of("harassment", "harassment/threatening", "hate",
            "hate/threatening", "illicit", "illicit/violent", "self-harm", "self-harm/instructions", "self-harm/intent",
            "sexual", "sexual/minors", "violence", "violence/graphic");
    /** One result, the same for every input: plausible small scores, nothing flagged. */
    private static final String RESULT = result();

    private final Gate gate;

    ModerationHandler(Gate gate) {
        this.gate = gate;
    }

    void handle(HttpServerRequest request) {
        long arrivalNanos = gate.nowNanos();
        request.body().onSuccess(body -> {
            Caller caller = gate.authenticate(request, arrivalNanos);
            if (caller == null) {
                return;
            }
            JsonNode root;
            try {
                root = JSON.readTree(body.getBytes());
            } catch (IOException e) {
                root = null;
            }
            JsonNode input = root == null ? null : root.get("input");
            if (input == null || !(input.isTextual() || input.isArray() && !input.isEmpty())) {
                gate.badRequest(request, caller, "'input' must be a string, an array of strings or an array of"
                        + " content parts.", "input", null, arrivalNanos);
                return;
            }
            int results = input.isArray() && input.get(0).isTextual() ? input.size() : 1;
            String quotedModel = ReplyBodies.quote(root.path("model").asText("omni-moderation-latest"));
            gate.admit(request, caller, answer -> {
                StringBuilder json = new StringBuilder(120 + results * RESULT.length()).append("{\"id\":\"modr-sim")
                        .append(answer.serial()).append("\",\"model\":").append(quotedModel).append(",\"results\":[");
                for (int index = 0; index < results; index++) {
                    json.append(index == 0 ? "" : ",").append(RESULT);
                }
                answer.json(200, json.append("]}").toString());
            }, arrivalNanos);
        });
    }

    private static String result() {
        StringBuilder flags = new StringBuilder();
        StringBuilder scores = new StringBuilder();
        StringBuilder types = new StringBuilder();
        for (int index = 0; index < CATEGORIES.size(); index++) {
            String name = '"' + CATEGORIES.get(index) + '"';
            String separator = index == 0 ? "" : ",";
            flags.append(separator).append(name).append(":false");
            scores.append(separator).append(name).append(':').append(1.0e-6 * (index + 1));
            types.append(separator).append(name).append(":[\"text\"]");
        }
        return "{\"flagged\":false,\"categories\":{" + flags + "},\"category_scores\":{" + scores
                + "},\"category_applied_input_types\":{" + types + "}}";
    }
}
