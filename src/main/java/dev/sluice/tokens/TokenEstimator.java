package dev.sluice.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.api.Encoding;
import dev.sluice.upstream.Operation;

import java.util.List;
import java.util.Map;

/**
 * Estimates a request's token cost from its body before it is sent, for a tokens-per-minute limit.
 * Prompts are counted with the model's tokenizer ({@link ModelEncodings}) the way OpenAI's
 * cookbook counts them ("How to count tokens with tiktoken"):
 *
 * <ul>
 *   <li><b>Chat:</b> 3 tokens per message, plus the tokens of each of its values ({@code role},
 *       {@code content}, {@code name}, {@code tool_call_id}, ...), 1 more for a {@code name}, plus 3
 *       that prime the reply. A {@code content} array counts the {@code text} of text parts and
 *       {@value #IMAGE_TOKENS} per {@code image_url} part. Values that are JSON structures
 *       ({@code tool_calls}, other content parts) and the top-level {@code tools}, {@code functions}
 *       and {@code response_format} count as their compact JSON text: OpenAI renders them more
 *       tersely, so this over-estimates, which is the safe side for a reservation.</li>
 *   <li><b>Completions:</b> the {@code prompt} (a string, strings, token ids or arrays of token ids:
 *       one token per id) and {@code suffix}. Every prompt of a batch gets its own choices.</li>
 *   <li><b>Embeddings:</b> the {@code input}, with the same shapes as a prompt; nothing is generated.</li>
 * </ul>
 *
 * {@code max_completion_tokens}, {@code max_tokens}, {@code n} and {@code best_of} count only when
 * they are positive integers: anything else is left for the upstream to refuse, and counts as absent.
 *
 * <p>Thread-safe and meant to be created once per application: the constructor loads the encodings.
 */
public final class TokenEstimator {

    /** OpenAI's default {@code max_tokens} for {@code /v1/completions}. */
    static final long COMPLETIONS_DEFAULT_MAX_TOKENS = 16;
    /** The most choices ({@code n}, {@code best_of}) one prompt is charged for; OpenAI allows 128. */
    static final long MAX_CHOICES_PER_PROMPT = 128;
    /** Each message is rendered as {@code <|start|>{role}<|message|>{content}<|end|>}. */
    static final int TOKENS_PER_MESSAGE = 3;
    static final int TOKENS_PER_NAME = 1;
    /** Every reply is primed with {@code <|start|>assistant<|message|>}. */
    static final int REPLY_PRIMING_TOKENS = 3;
    /**
     * An {@code image_url} part, priced as a 1024×1024 image in high detail: 85 base tokens + 170 for
     * each of its four 512-pixel tiles. A low-detail image costs 85, a tall one up to 1445; the usage
     * the upstream reports settles the difference. Fetching the image to measure it is out of question
     * on the request path.
     */
    static final int IMAGE_TOKENS = 765;

    private static final List<String> CHAT_JSON_FIELDS = List.of("tools", "functions", "response_format");

    private final ModelEncodings encodings = new ModelEncodings();

    /**
     * @param operation        the endpoint the body is for
     * @param body             the parsed and validated request body (for {@code MODELS}, anything)
     * @param defaultMaxTokens the completion budget of a chat request that sets none; at least 0,
     *                         capped at {@link TokenEstimate#MAX_COMPLETION_TOKENS}
     */
    public TokenEstimate estimate(Operation operation, JsonNode body, long defaultMaxTokens) {
        if (defaultMaxTokens < 0) {
            throw new IllegalArgumentException("defaultMaxTokens must be >= 0, got " + defaultMaxTokens);
        }
        return switch (operation) {
            case CHAT_COMPLETIONS -> chat(body, Math.min(defaultMaxTokens, TokenEstimate.MAX_COMPLETION_TOKENS));
            case COMPLETIONS -> completions(body);
            case EMBEDDINGS -> new TokenEstimate(inputTokens(encoding(body), body.path("input")), 0, 1);
            case MODELS -> new TokenEstimate(0, 0, 1);
        };
    }

    private TokenEstimate chat(JsonNode body, long defaultMaxTokens) {
        Encoding encoding = encoding(body);
        long promptTokens = REPLY_PRIMING_TOKENS;
        for (JsonNode message : body.path("messages")) {
            promptTokens += messageTokens(encoding, message);
        }
        for (String field : CHAT_JSON_FIELDS) {
            promptTokens += valueTokens(encoding, body.path(field));
        }
        long maxCompletionTokens = positiveInteger(body.get("max_completion_tokens"), TokenEstimate.MAX_COMPLETION_TOKENS);
        if (maxCompletionTokens == 0) {
            maxCompletionTokens = positiveInteger(body.get("max_tokens"), TokenEstimate.MAX_COMPLETION_TOKENS);
        }
        if (maxCompletionTokens == 0) {
            maxCompletionTokens = defaultMaxTokens;
        }
        long choices = Math.max(1, positiveInteger(body.get("n"), MAX_CHOICES_PER_PROMPT));
        return new TokenEstimate(promptTokens, maxCompletionTokens, (int) choices);
    }

    private long messageTokens(Encoding encoding, JsonNode message) {
        long tokens = TOKENS_PER_MESSAGE;
        for (Map.Entry<String, JsonNode> field : message.properties()) {
            tokens += switch (field.getKey()) {
                case "content" -> contentTokens(encoding, field.getValue());
                case "name" -> valueTokens(encoding, field.getValue()) + TOKENS_PER_NAME;
                default -> valueTokens(encoding, field.getValue());
            };
        }
        return tokens;
    }

    private long contentTokens(Encoding encoding, JsonNode content) {
        if (!content.isArray()) {
            return valueTokens(encoding, content);
        }
        long tokens = 0;
        for (JsonNode part : content) {
            String type = part.path("type").asText("");
            JsonNode text = part.path("text");
            if (type.equals("text") && text.isTextual()) {
                tokens += encoding.countTokensOrdinary(text.textValue());
            } else if (type.equals("image_url")) {
                tokens += IMAGE_TOKENS;
            } else {
                tokens += jsonTokens(encoding, part);
            }
        }
        return tokens;
    }

    private TokenEstimate completions(JsonNode body) {
        Encoding encoding = encoding(body);
        JsonNode prompt = body.path("prompt");
        long promptTokens = inputTokens(encoding, prompt) + valueTokens(encoding, body.path("suffix"));
        long maxTokens = positiveInteger(body.get("max_tokens"), TokenEstimate.MAX_COMPLETION_TOKENS);
        long choicesPerPrompt = Math.max(1, Math.max(
                positiveInteger(body.get("n"), MAX_CHOICES_PER_PROMPT),
                positiveInteger(body.get("best_of"), MAX_CHOICES_PER_PROMPT))); // best_of are all generated and billed
        // A batch (an array of strings or of token-id arrays) is several prompts; a flat id array is one.
        long prompts = prompt.isArray() && !prompt.isEmpty() && !prompt.get(0).isNumber() ? prompt.size() : 1;
        long choices = Math.min(Integer.MAX_VALUE, choicesPerPrompt * prompts); // ≤ 128 × 2^31: no overflow
        return new TokenEstimate(promptTokens, maxTokens == 0 ? COMPLETIONS_DEFAULT_MAX_TOKENS : maxTokens, (int) choices);
    }

    /** A prompt or embeddings input: a string, token ids (1 token each), or arrays of either. */
    private long inputTokens(Encoding encoding, JsonNode input) {
        if (input.isNumber()) {
            return 1;
        }
        if (!input.isArray()) {
            return valueTokens(encoding, input);
        }
        long tokens = 0;
        for (JsonNode item : input) {
            tokens += inputTokens(encoding, item);
        }
        return tokens;
    }

    /** A string counts as its text; null or missing as nothing; anything else as its JSON text. */
    private static long valueTokens(Encoding encoding, JsonNode value) {
        if (value.isTextual()) {
            // Ordinary: "<|endoftext|>" typed by a user is text, and countTokens would throw on it.
            return encoding.countTokensOrdinary(value.textValue());
        }
        return value.isNull() || value.isMissingNode() ? 0 : jsonTokens(encoding, value);
    }

    private static long jsonTokens(Encoding encoding, JsonNode value) {
        return encoding.countTokensOrdinary(value.toString()); // Jackson's toString is compact JSON
    }

    private Encoding encoding(JsonNode body) {
        return encodings.forModel(body.path("model").asText(""));
    }

    /** The value as an integer from 1 to {@code cap}, capped; 0 when it is not a positive integer. */
    private static long positiveInteger(JsonNode value, long cap) {
        if (value == null || !value.isIntegralNumber()) {
            return 0;
        }
        if (!value.canConvertToLong()) {
            return value.bigIntegerValue().signum() > 0 ? cap : 0;
        }
        return value.longValue() < 1 ? 0 : Math.min(value.longValue(), cap);
    }
}
