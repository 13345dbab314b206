package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * A request's input as OpenAI's rate limiter counts it against TPM when the request arrives: "the
 * estimated number of tokens based on the character count of your request" (OpenAI's rate-limit
 * guide), one token per four characters, rounded up. Measured on Azure OpenAI (github.com/stuartleeks/
 * aoai-testing): a 44-character embeddings input took 11 tokens from {@code x-ratelimit-remaining-tokens},
 * a chat message {@code {"role":"user","content":"What is the meaning of life?"}} (4 + 28 characters)
 * took 8 besides its {@code max_tokens}. So: the characters of every string in the messages (role,
 * content, name, ...) and of text content parts, no per-message overheads; token ids count one each.
 *
 * <p>Written apart from Sluice's estimator ({@code dev.sluice.tokens}): the simulator stands for the
 * provider, and a test comparing the two compares two implementations of the documented rule.
 */
final class CharacterEstimate {

    private CharacterEstimate() {
    }

    static long ofChat(JsonNode messages) {
        long characters = 0;
        for (JsonNode message : messages) {
            characters += characters(message, false);
        }
        return tokens(characters);
    }

    /**
     * A Responses API input, by the same rule: the characters of {@code instructions}, of a string input,
     * and of each item as of a chat message but for its {@code type} (a label of the item's kind, which a
     * chat message does not carry). So a list of messages is estimated exactly as the same messages sent
     * to chat; {@code instructions} count their own characters only, where a chat system message also
     * counts its role.
     *
     * @param instructions null when absent
     */
    static long ofResponsesInput(JsonNode input, String instructions) {
        long characters = instructions == null ? 0 : instructions.length();
        if (input.isTextual()) {
            characters += input.textValue().length();
        } else {
            for (JsonNode item : input) {
                characters += characters(item, true);
            }
        }
        return tokens(characters);
    }

    private static long characters(JsonNode message, boolean skipType) {
        long characters = 0;
        for (Map.Entry<String, JsonNode> field : message.properties()) {
            JsonNode value = field.getValue();
            if (value.isTextual() && !(skipType && field.getKey().equals("type"))) {
                characters += value.textValue().length();
            } else if (value.isArray()) {
                for (JsonNode part : value) {
                    JsonNode text = part.get("text");
                    if (text != null && text.isTextual()) {
                        characters += text.textValue().length();
                    }
                }
            }
        }
        return characters;
    }

    /** @param input a string, token ids, or an array of either */
    static long ofEmbeddingInput(JsonNode input) {
        long[] charactersAndIds = new long[2];
        count(input, charactersAndIds);
        return tokens(charactersAndIds[0]) + charactersAndIds[1];
    }

    private static void count(JsonNode input, long[] charactersAndIds) {
        if (input.isTextual()) {
            charactersAndIds[0] += input.textValue().length();
        } else if (input.isIntegralNumber()) {
            charactersAndIds[1]++;
        } else {
            for (JsonNode item : input) {
                count(item, charactersAndIds);
            }
        }
    }

    private static long tokens(long characters) {
        return (characters + 3) / 4;
    }
}
