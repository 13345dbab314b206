package dev.sluice.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.api.Encoding;
import dev.sluice.openai.Operation;

import java.util.List;
import java.util.Map;

/**
 * Estimates a request's token cost from its body before it is sent, for limits that count tokens,
 * in both ways a {@link TokenEstimate} holds: the prompt counted with the model's tokenizer
 * ({@link ModelEncodings}), and the prompt as a provider's rate limiter estimates it from its
 * characters. Tokenizer counts follow OpenAI's cookbook ("How to count tokens with tiktoken"):
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
 *   <li><b>Embeddings</b> and <b>moderations:</b> the {@code input}, with the same shapes as a prompt (a
 *       moderation's image parts as their JSON); nothing is generated.</li>
 *   <li><b>Responses:</b> {@code input} text as one message, or its items (messages as chat's, with
 *       {@code input_text} and {@code input_image} parts; function calls and their outputs as text),
 *       {@code instructions} as a message, {@code tools} and {@code text} as JSON ({@link #response}).</li>
 * </ul>
 *
 * The character estimate counts the same text (every string value, JSON structures as their compact
 * JSON, no per-message overheads) at {@value #CHARACTERS_PER_TOKEN} characters a token, rounded up
 * once per request, and adds images and token ids as above: what OpenAI's rate-limit guide calls "the
 * estimated number of tokens based on the character count of your request".
 *
 * <p>The output budget is the first of the operation's budget fields that is set
 * ({@code max_completion_tokens}, then {@code max_tokens} for chat; {@code max_tokens} for
 * completions), else the operation's default. The request path refuses a body whose
 * {@code max_completion_tokens}, {@code max_tokens}, {@code n} or {@code best_of} is not an integer in
 * its {@link CountParameter} range before it estimates anything; should such a body reach the estimate
 * anyway, that field counts as absent.
 *
 * <p>Thread-safe and meant to be created once per application: the constructor loads the encodings.
 */
public final class TokenEstimator {

    /** OpenAI's default {@code max_tokens} for {@code /v1/completions}. */
    static final long COMPLETIONS_DEFAULT_MAX_TOKENS = 16;
    /** The most choices ({@code n}, {@code best_of}) one prompt is charged for; OpenAI allows 128. */
    static final long MAX_CHOICES_PER_PROMPT = CountParameter.N.max();
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
    /** OpenAI's rule of thumb, which its rate limiter applies to a request's text. */
    static final int CHARACTERS_PER_TOKEN = 4;

    /** Chat's output budget fields, the first one set wins. */
    static final List<CountParameter> CHAT_BUDGET_FIELDS = List.of(CountParameter.MAX_COMPLETION_TOKENS, CountParameter.MAX_TOKENS);
    static final List<CountParameter> COMPLETIONS_BUDGET_FIELDS = List.of(CountParameter.MAX_TOKENS);
    private static final List<String> CHAT_JSON_FIELDS = List.of("tools", "functions", "response_format");
    static final List<CountParameter> RESPONSES_BUDGET_FIELDS = List.of(CountParameter.MAX_OUTPUT_TOKENS);
    private static final List<String> RESPONSES_JSON_FIELDS = List.of("tools", "text");

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
            case EMBEDDINGS, MODERATIONS -> {
                Input input = new Input(encoding(body));
                input.prompt(body.path("input"));
                yield new TokenEstimate(input.tokens, input.tokensFromCharacters(), 0, 1);
            }
            case RESPONSES -> response(body, Math.min(defaultMaxTokens, TokenEstimate.MAX_COMPLETION_TOKENS));
            case MODELS -> TokenEstimate.NONE;
        };
    }

    /**
     * The Responses API: {@code input} as text (one user message) or items, {@code instructions} as a
     * system message, {@code tools} and the {@code text} format as their JSON; one output of at most
     * {@code max_output_tokens}, else the same default as chat. A response that goes on from
     * {@code previous_response_id} or a {@code conversation} is also charged, upstream, for what that holds,
     * which the body does not show: the usage settles the caller's quotas, and the upstream's
     * {@code x-ratelimit-remaining-tokens} corrects the shared bucket.
     */
    private TokenEstimate response(JsonNode body, long defaultMaxTokens) {
        Input input = new Input(encoding(body));
        input.tokens += REPLY_PRIMING_TOKENS;
        JsonNode instructions = body.path("instructions");
        if (instructions.isTextual()) {
            input.tokens += TOKENS_PER_MESSAGE;
            input.text(instructions.textValue());
        }
        JsonNode items = body.path("input");
        if (items.isTextual()) {
            input.tokens += TOKENS_PER_MESSAGE;
            input.text(items.textValue());
        } else {
            for (JsonNode item : items) {
                input.item(item);
            }
        }
        for (String field : RESPONSES_JSON_FIELDS) {
            input.value(body.path(field));
        }
        long maxOutputTokens = outputBudget(body, RESPONSES_BUDGET_FIELDS, defaultMaxTokens);
        return new TokenEstimate(input.tokens, input.tokensFromCharacters(), maxOutputTokens, 1);
    }

    private TokenEstimate chat(JsonNode body, long defaultMaxTokens) {
        Input input = new Input(encoding(body));
        input.tokens += REPLY_PRIMING_TOKENS;
        for (JsonNode message : body.path("messages")) {
            input.message(message);
        }
        for (String field : CHAT_JSON_FIELDS) {
            input.value(body.path(field));
        }
        long maxCompletionTokens = outputBudget(body, CHAT_BUDGET_FIELDS, defaultMaxTokens);
        long choices = CountParameter.N.valueOr(body, 1);
        return new TokenEstimate(input.tokens, input.tokensFromCharacters(), maxCompletionTokens, (int) choices);
    }

    private TokenEstimate completions(JsonNode body) {
        Input input = new Input(encoding(body));
        JsonNode prompt = body.path("prompt");
        input.prompt(prompt);
        input.value(body.path("suffix"));
        long maxTokens = outputBudget(body, COMPLETIONS_BUDGET_FIELDS, COMPLETIONS_DEFAULT_MAX_TOKENS);
        // best_of are all generated and billed
        long choicesPerPrompt = Math.max(CountParameter.N.valueOr(body, 1), CountParameter.BEST_OF.valueOr(body, 1));
        // A batch (an array of strings or of token-id arrays) is several prompts; a flat id array is one.
        long prompts = prompt.isArray() && !prompt.isEmpty() && !prompt.get(0).isNumber() ? prompt.size() : 1;
        long choices = Math.min(Integer.MAX_VALUE, choicesPerPrompt * prompts); // ≤ 128 × 2^31: no overflow
        return new TokenEstimate(input.tokens, input.tokensFromCharacters(), maxTokens, (int) choices);
    }

    /**
     * The most one choice may generate: the first of {@code fields} that holds a valid value, else
     * {@code whenAbsent}. Each operation names its own fields, e.g. the Responses API's {@code max_output_tokens}.
     */
    static long outputBudget(JsonNode body, List<CountParameter> fields, long whenAbsent) {
        for (CountParameter field : fields) {
            long budget = field.valueOr(body, 0);
            if (budget > 0) {
                return budget;
            }
        }
        return whenAbsent;
    }

    private Encoding encoding(JsonNode body) {
        return encodings.forModel(body.path("model").asText(""));
    }

    /**
     * The text with each unpaired surrogate replaced by U+FFFD, as a UTF-8 encoder would write it:
     * JSON may carry one ({@code "\\ud800"}), and the tokenizer refuses such a string outright.
     * Well-formed text (nearly all) is returned as it is, after one pass over its chars.
     */
    static String wellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
                if (!paired) {
                    return replaceUnpairedSurrogates(text);
                }
                i++;
            }
        }
        return text;
    }

    private static String replaceUnpairedSurrogates(String text) {
        StringBuilder fixed = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                fixed.append(c).append(text.charAt(++i));
            } else {
                fixed.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return fixed.toString();
    }

    /**
     * One request's input, counted both ways as it is walked: tokenizer tokens, characters of text,
     * and tokens that have no characters (images, token ids), which both ways count alike.
     */
    private static final class Input {
        private final Encoding encoding;
        long tokens;
        long characters;
        long tokensWithoutText;

        Input(Encoding encoding) {
            this.encoding = encoding;
        }

        long tokensFromCharacters() {
            // characters are at most a few billion (a body is at most 2 GiB): no overflow
            return (characters + CHARACTERS_PER_TOKEN - 1) / CHARACTERS_PER_TOKEN + tokensWithoutText;
        }

        void message(JsonNode message) {
            tokens += TOKENS_PER_MESSAGE;
            for (Map.Entry<String, JsonNode> field : message.properties()) {
                switch (field.getKey()) {
                    case "content" -> content(field.getValue());
                    case "name" -> {
                        value(field.getValue());
                        tokens += TOKENS_PER_NAME;
                    }
                    default -> value(field.getValue());
                }
            }
        }

        private void content(JsonNode content) {
            if (!content.isArray()) {
                value(content);
                return;
            }
            for (JsonNode part : content) {
                String type = part.path("type").asText("");
                JsonNode text = part.path("text");
                if ((type.equals("text") || type.equals("input_text") || type.equals("output_text")) && text.isTextual()) {
                    text(text.textValue());
                } else if (type.equals("image_url") || type.equals("input_image")) {
                    noText(IMAGE_TOKENS);
                } else if (type.equals("input_file") || type.equals("file")) {
                    file(part.has("file") ? part.path("file") : part);
                } else {
                    json(part);
                }
            }
        }

        /**
         * A file part: its inline bytes as one token per {@value #CHARACTERS_PER_TOKEN} bytes of content
         * (base64 holds 3 bytes in 4 characters), else, given by id, priced as an image: tokenizing
         * megabytes of base64 would cost more than the request, and the usage settles the difference.
         */
        private void file(JsonNode file) {
            JsonNode data = file.path("file_data");
            if (data.isTextual()) {
                noText(Math.max(1, data.textValue().length() * 3L / 4 / CHARACTERS_PER_TOKEN));
            } else {
                noText(IMAGE_TOKENS);
            }
            value(file.path("filename"));
        }

        /**
         * One item of a Responses {@code input}: a message (with a role) as chat counts one; a function
         * call's name and arguments, or its output, as text; anything else (reasoning, references) as its JSON.
         */
        void item(JsonNode item) {
            String type = item.path("type").asText("");
            if (item.has("role") && (type.isEmpty() || type.equals("message"))) {
                tokens += TOKENS_PER_MESSAGE;
                value(item.path("role"));
                content(item.path("content"));
            } else if (type.equals("function_call_output")) {
                tokens += TOKENS_PER_MESSAGE;
                value(item.path("output"));
            } else if (type.equals("function_call")) {
                value(item.path("name"));
                value(item.path("arguments"));
            } else {
                json(item);
            }
        }

        /** A prompt or embeddings input: a string, token ids (1 token each), or arrays of either. */
        void prompt(JsonNode input) {
            if (input.isNumber()) {
                noText(1);
            } else if (input.isArray()) {
                for (JsonNode item : input) {
                    prompt(item);
                }
            } else {
                value(input);
            }
        }

        /** A string counts as its text; null or missing as nothing; anything else as its JSON text. */
        void value(JsonNode value) {
            if (value.isTextual()) {
                text(value.textValue());
            } else if (!value.isNull() && !value.isMissingNode()) {
                json(value);
            }
        }

        private void json(JsonNode value) {
            text(value.toString()); // Jackson's toString is compact JSON
        }

        private void text(String text) {
            // Ordinary: "<|endoftext|>" typed by a user is text, and countTokens would throw on it.
            tokens += encoding.countTokensOrdinary(wellFormed(text));
            characters += text.length();
        }

        private void noText(long count) {
            tokens += count;
            tokensWithoutText += count;
        }
    }
}
