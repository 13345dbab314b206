package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Prompt tokens estimated the way OpenAI roughly counts them, without a tokenizer: about four
 * characters (UTF-16 units) a token, rounded up per string.
 * <ul>
 *   <li>Chat: 3 tokens per message (role and separators) + ceil(chars / 4) of each string content
 *       (a string, or an array of parts whose {@code text} counts) + 3 for priming the reply.
 *       Names, tools and images are not counted.</li>
 *   <li>Embeddings: ceil(chars / 4) of the input, a string or an array of strings; an input given
 *       as token ids (an array of integers, or of such arrays) counts one token per id.</li>
 * </ul>
 */
final class PromptTokens {

    static final int PER_MESSAGE = 3;
    static final int REPLY_PRIMING = 3;

    private PromptTokens() {
    }

    static long ofText(String text) {
        return (text.length() + 3) / 4;
    }

    /** @param messages the {@code messages} array of a chat request */
    static long ofChat(JsonNode messages) {
        long total = REPLY_PRIMING;
        for (JsonNode message : messages) {
            total += PER_MESSAGE;
            JsonNode content = message.get("content");
            if (content == null) {
                continue;
            }
            if (content.isTextual()) {
                total += ofText(content.textValue());
            } else if (content.isArray()) {
                for (JsonNode part : content) {
                    JsonNode text = part.get("text");
                    if (text != null && text.isTextual()) {
                        total += ofText(text.textValue());
                    }
                }
            }
        }
        return total;
    }

    /** @param input the {@code input} of an embeddings request */
    static long ofEmbeddingInput(JsonNode input) {
        if (input.isTextual()) {
            return ofText(input.textValue());
        }
        if (input.isIntegralNumber()) {
            return 1;
        }
        long total = 0;
        for (JsonNode item : input) {
            total += ofEmbeddingInput(item);
        }
        return total;
    }
}
