package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The body of {@code POST /v1/responses} (OpenAI's {@code CreateResponse}): {@code input} as a string
 * or a list of items, {@code instructions}, {@code max_output_tokens} (at least 16, as OpenAI requires),
 * {@code stream}, {@code store}, {@code background}, {@code previous_response_id}. Other fields are
 * accepted and ignored, as the simulator models no tools or reasoning.
 *
 * <p>Sources: "Create a model response", https://platform.openai.com/docs/api-reference/responses/create,
 * and its schema {@code CreateResponse} in OpenAI's OpenAPI description, github.com/openai/openai-openapi {@code openapi.yaml} (read at f85dbe2); the 400's wording for a
 * {@code max_output_tokens} below 16 as OpenAI sent it, relayed in github.com/vectorize-io/hindsight/issues/58.
 */
final class ResponsesBody {

    /** OpenAI's minimum: {@code "minimum": 16} in its OpenAPI description, and its 400 below it. */
    static final long MIN_OUTPUT_TOKENS = 16;

    private ResponsesBody() {
    }

    static ApiRequest parse(JsonNode root, String model, int defaultMaxTokens) throws ApiRequest.BadRequest {
        JsonNode input = root.get("input");
        if (input == null || !(input.isTextual() || input.isArray())) {
            throw new ApiRequest.BadRequest("input", "'input' must be a string or an array of input items.");
        }
        for (int index = 0; index < input.size(); index++) {
            if (!input.get(index).isObject()) {
                String param = "input[" + index + "]";
                throw new ApiRequest.BadRequest(param, "Invalid type for '" + param + "': expected an object, but got "
                        + describe(input.get(index)) + " instead.", "invalid_type");
            }
        }
        JsonNode instructions = optional(root, "instructions");
        if (instructions != null && !instructions.isTextual()) {
            throw new ApiRequest.BadRequest("instructions", "Invalid type for 'instructions': expected a string, but got "
                    + describe(instructions) + " instead.", "invalid_type");
        }
        JsonNode previous = optional(root, "previous_response_id");
        JsonNode maxOutput = optional(root, "max_output_tokens");
        long maxTokens = maxOutput == null ? defaultMaxTokens : maxOutputTokens(maxOutput);
        String instructionsText = instructions == null ? null : instructions.textValue();
        ResponseSettings settings = new ResponseSettings(input,
                instructionsText == null ? "null" : ReplyBodies.quote(instructionsText),
                maxOutput == null ? "null" : Long.toString(maxTokens),
                previous == null || !previous.isTextual() ? "null" : ReplyBodies.quote(previous.textValue()),
                root.path("store").asBoolean(true), root.path("background").asBoolean(false));
        return new ApiRequest(Api.RESPONSES, model, PromptTokens.ofResponsesInput(model, input, instructionsText),
                CharacterEstimate.ofResponsesInput(input, instructionsText), maxTokens, 1,
                root.path("stream").asBoolean(false), false, settings);
    }

    private static long maxOutputTokens(JsonNode value) throws ApiRequest.BadRequest {
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new ApiRequest.BadRequest("max_output_tokens", "Invalid type for 'max_output_tokens': expected an"
                    + " integer, but got " + describe(value) + " instead.", "invalid_type");
        }
        long tokens = value.longValue();
        if (tokens < MIN_OUTPUT_TOKENS) {
            throw new ApiRequest.BadRequest("max_output_tokens", "Invalid 'max_output_tokens': integer below minimum"
                    + " value. Expected a value >= " + MIN_OUTPUT_TOKENS + ", but got " + tokens + " instead.",
                    "integer_below_min_value");
        }
        if (tokens > ApiRequest.MAX_TOKENS) {
            throw new ApiRequest.BadRequest("max_output_tokens", "Invalid 'max_output_tokens': integer above maximum"
                    + " value. Expected a value <= " + ApiRequest.MAX_TOKENS + ", but got " + tokens + " instead.",
                    "integer_above_max_value");
        }
        return tokens;
    }

    /** @return null when absent or JSON null */
    private static JsonNode optional(JsonNode root, String field) {
        JsonNode value = root.get(field);
        return value == null || value.isNull() ? null : value;
    }

    private static String describe(JsonNode value) {
        return switch (value.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> value.isIntegralNumber() ? "an integer" : "a decimal";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> "null";
        };
    }
}
