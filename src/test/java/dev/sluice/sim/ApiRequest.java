package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;

/**
 * The parts of a chat, embeddings or Responses API request that matter to limits and replies.
 *
 * @param api            the endpoint
 * @param model          echoed in the reply; picks the tokenizer {@link PromptTokens} counts with
 * @param promptTokens   counted by {@link PromptTokens}: what the usage reports
 * @param estimatedPromptTokens the input as the rate limiter estimates it on arrival ({@link CharacterEstimate})
 * @param maxTokens      {@code max_completion_tokens}, else {@code max_tokens} ({@code max_output_tokens}
 *                       for Responses), else the configured default; 0 for embeddings
 * @param choices        {@code n}, 1 when absent; the number of embedding inputs for embeddings; 1 for Responses
 * @param stream         {@code "stream": true}
 * @param includeUsage   {@code stream_options.include_usage}: a last chunk carries the usage (chat only)
 * @param responses      what a Responses API request echoes and keeps; null for the other two
 */
record ApiRequest(Api api, String model, long promptTokens, long estimatedPromptTokens, long maxTokens, int choices,
                  boolean stream, boolean includeUsage, ResponseSettings responses) {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bounds that keep {@link #tokenCost()} far from overflow. */
    static final long MAX_TOKENS = 10_000_000;
    private static final long MAX_CHOICES = 128;

    /** A body that cannot be served: a 400 naming {@code param} (and OpenAI's {@code code}, if any), charged nothing. */
    static final class BadRequest extends Exception {
        final String param;
        final String code;

        BadRequest(String param, String message) {
            this(param, message, null);
        }

        BadRequest(String param, String message, String code) {
            super(message, null, false, false);
            this.param = param;
            this.code = code;
        }
    }

    /**
     * What the TPM bucket is charged on arrival: the prompt estimated from its characters and the most
     * the reply may take, for every choice ("contexts (prompts+max_tokens)", OpenAI's rate-limit advice).
     */
    long tokenCost() {
        return estimatedPromptTokens + maxTokens * choices;
    }

    /** What the request really used once answered with {@code tokensPerChoice} in each choice. */
    long usedTokens(int tokensPerChoice) {
        return promptTokens + (long) tokensPerChoice * (api == Api.EMBEDDINGS ? 0 : choices);
    }

    static ApiRequest parse(Api api, byte[] body, int defaultMaxTokens) throws BadRequest {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new BadRequest(null, "We could not parse the JSON body of your request. (HINT: This likely means you"
                    + " aren't using your HTTP library correctly.)");
        }
        if (root == null || !root.isObject()) {
            throw new BadRequest(null, "The body of your request must be a JSON object.");
        }
        JsonNode model = root.get("model");
        if (model == null || !model.isTextual() || model.textValue().isEmpty()) {
            throw new BadRequest("model", "you must provide a model parameter");
        }
        return switch (api) {
            case CHAT -> chat(root, model.textValue(), defaultMaxTokens);
            case EMBEDDINGS -> embeddings(root, model.textValue());
            case RESPONSES -> ResponsesBody.parse(root, model.textValue(), defaultMaxTokens);
        };
    }

    private static ApiRequest chat(JsonNode root, String model, int defaultMaxTokens) throws BadRequest {
        JsonNode messages = root.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new BadRequest("messages", "'messages' must be a non-empty array.");
        }
        long maxTokens = positive(root, "max_completion_tokens", positive(root, "max_tokens", defaultMaxTokens, MAX_TOKENS),
                MAX_TOKENS);
        long choices = positive(root, "n", 1, MAX_CHOICES);
        boolean stream = root.path("stream").asBoolean(false);
        boolean includeUsage = root.path("stream_options").path("include_usage").asBoolean(false);
        return new ApiRequest(Api.CHAT, model, PromptTokens.ofChat(model, messages), CharacterEstimate.ofChat(messages), maxTokens,
                (int) choices, stream, includeUsage, null);
    }

    private static ApiRequest embeddings(JsonNode root, String model) throws BadRequest {
        JsonNode input = root.get("input");
        if (input == null || !(input.isTextual() || input.isArray()) || input.isEmpty() && input.isArray()) {
            throw new BadRequest("input", "'input' must be a string or a non-empty array.");
        }
        int inputs = input.isArray() && !input.get(0).isIntegralNumber() ? input.size() : 1;
        return new ApiRequest(Api.EMBEDDINGS, model, PromptTokens.ofEmbeddingInput(model, input),
                CharacterEstimate.ofEmbeddingInput(input), 0, inputs, false, false, null);
    }

    private static long positive(JsonNode root, String field, long fallback, long max) throws BadRequest {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 1 || value.longValue() > max) {
            throw new BadRequest(field, "'" + field + "' must be an integer from 1 to " + max + ".");
        }
        return value.longValue();
    }
}
