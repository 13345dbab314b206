package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prompt tokens counted the way OpenAI's API counts them, with the tokenizer of the model's family
 * (jtokkit): {@code o200k_base} for {@code gpt-4o*}, {@code chatgpt-4o*}, {@code gpt-4.1*},
 * {@code gpt-4.5*}, {@code gpt-5*}, {@code o1*}, {@code o3*}, {@code o4*} (after any {@code provider/}
 * or {@code ft:} prefix), {@code cl100k_base} for every other model, {@code gpt-sim} included.
 * <ul>
 *   <li>Chat, as in openai-cookbook's "How to count tokens with tiktoken": 3 tokens per message +
 *       the tokens of each of its string values (role, content, name, tool_call_id; 1 more for a
 *       name) + 3 for priming the reply. A content array counts the {@code text} of its parts.
 *       Images, tools and tool calls are not counted: the simulator does not model them.</li>
 *   <li>Responses: as the chat the input stands for ({@link #ofResponsesInput}).</li>
 *   <li>Embeddings: the tokens of the input, a string or an array of strings; an input given as
 *       token ids (an array of integers, or of such arrays) counts one token per id.</li>
 * </ul>
 * Special tokens such as {@code <|endoftext|>} in a prompt count as ordinary text, as OpenAI does.
 *
 * <p>Deliberately separate from Sluice's own estimator ({@code dev.sluice.tokens}): the simulator is
 * an independent model of the upstream, so a test comparing the two compares two implementations.
 */
final class PromptTokens {

    static final int PER_MESSAGE = 3;
    static final int PER_NAME = 1;
    static final int REPLY_PRIMING = 3;

    private static final List<String> O200K_FAMILIES =
            List.of("gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4");
    private static final EncodingRegistry ENCODINGS = Encodings.newLazyEncodingRegistry();
    private static final Encoding CL100K = ENCODINGS.getEncoding(EncodingType.CL100K_BASE);
    private static final Encoding O200K = ENCODINGS.getEncoding(EncodingType.O200K_BASE);

    private PromptTokens() {
    }

    /** Loads the encodings (about 0.7 s) now, so that the first request does not wait for them. */
    static void loadEncodings() {
        // Running this class's static initializer is the whole job.
    }

    static Encoding encodingFor(String model) {
        String name = model.substring(model.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        String family = name.startsWith("ft:") ? name.substring(3) : name; // ft:gpt-4o-mini-2024-07-18:org::id
        return O200K_FAMILIES.stream().anyMatch(family::startsWith) ? O200K : CL100K;
    }

    static long ofText(Encoding encoding, String text) {
        return encoding.countTokensOrdinary(text);
    }

    /** @param messages the {@code messages} array of a chat request for {@code model} */
    static long ofChat(String model, JsonNode messages) {
        Encoding encoding = encodingFor(model);
        long total = REPLY_PRIMING;
        for (JsonNode message : messages) {
            total += ofMessage(encoding, message, false);
        }
        return total;
    }

    /**
     * A Responses API input, counted as the chat it stands for: {@code instructions} as a system message
     * ("a system (or developer) message inserted into the model's context", OpenAI's reference), a string
     * input as one user message, each item of a list as a message without its {@code type} label, + 3 for
     * priming the reply. So the same messages count the same on both APIs.
     *
     * @param instructions null when absent
     */
    static long ofResponsesInput(String model, JsonNode input, String instructions) {
        Encoding encoding = encodingFor(model);
        long total = REPLY_PRIMING;
        if (instructions != null) {
            total += PER_MESSAGE + ofText(encoding, "system") + ofText(encoding, instructions);
        }
        if (input.isTextual()) {
            total += PER_MESSAGE + ofText(encoding, "user") + ofText(encoding, input.textValue());
        } else {
            for (JsonNode item : input) {
                total += ofMessage(encoding, item, true);
            }
        }
        return total;
    }

    private static long ofMessage(Encoding encoding, JsonNode message, boolean skipType) {
        long total = PER_MESSAGE;
        for (Map.Entry<String, JsonNode> field : message.properties()) {
            JsonNode value = field.getValue();
            if (value.isTextual() && !(skipType && field.getKey().equals("type"))) {
                total += ofText(encoding, value.textValue());
                total += field.getKey().equals("name") ? PER_NAME : 0;
            } else if (value.isArray() && field.getKey().equals("content")) {
                for (JsonNode part : value) {
                    JsonNode text = part.get("text");
                    if (text != null && text.isTextual()) {
                        total += ofText(encoding, text.textValue());
                    }
                }
            }
        }
        return total;
    }

    /** @param input the {@code input} of an embeddings request for {@code model} */
    static long ofEmbeddingInput(String model, JsonNode input) {
        return ofInput(encodingFor(model), input);
    }

    private static long ofInput(Encoding encoding, JsonNode input) {
        if (input.isTextual()) {
            return ofText(encoding, input.textValue());
        }
        if (input.isIntegralNumber()) {
            return 1;
        }
        long total = 0;
        for (JsonNode item : input) {
            total += ofInput(encoding, item);
        }
        return total;
    }
}
