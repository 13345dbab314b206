package dev.sluice.sim;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * The JSON bodies the simulator sends, written by hand: they are the hot path, and their shape
 * is fixed. Every string that came from a request goes through {@link #quote}.
 */
final class ReplyBodies {

    private static final String[] WORDS = ("The quick brown fox jumps over the lazy dog while a patient"
            + " gateway counts every token and request it lets through").split(" ");

    /** Eight fixed floats: clients parse them; nobody compares them. */
    private static final String EMBEDDING = "[0.0023064255,-0.009327292,0.015797347,-0.0077780345,"
            + "-0.0047067297,0.014594498,-0.0099545375,-0.0028671974]";

    /** {@code replyTexts[k]}: the reply text of k tokens, one word a token. */
    private final String[] replyTexts;

    ReplyBodies(int completionTokens) {
        replyTexts = new String[completionTokens + 1];
        for (int tokens = 0; tokens <= completionTokens; tokens++) {
            replyTexts[tokens] = words(0, tokens);
        }
    }

    /** The reply text of {@code tokens} tokens (at most the configured completion tokens). */
    String replyText(int tokens) {
        return replyTexts[tokens];
    }

    static String quote(String text) {
        return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + '"';
    }

    static String error(String message, String type, String param, String code) {
        return "{\"error\":{\"message\":" + quote(message) + ",\"type\":" + quote(type)
                + ",\"param\":" + (param == null ? "null" : quote(param))
                + ",\"code\":" + (code == null ? "null" : quote(code)) + "}}";
    }

    /** Words {@code from..to-1} of the endless word cycle, joined by spaces; a leading space when from > 0. */
    static String words(int from, int to) {
        StringBuilder text = new StringBuilder((to - from) * 7);
        for (int index = from; index < to; index++) {
            if (index > 0) {
                text.append(' ');
            }
            text.append(WORDS[index % WORDS.length]);
        }
        return text.toString();
    }

    String completion(String id, long createdSeconds, String quotedModel, int choices, int tokensPerChoice,
                      String finishReason, long promptTokens) {
        StringBuilder json = new StringBuilder(320 + choices * (120 + tokensPerChoice * 7));
        json.append("{\"id\":\"").append(id).append("\",\"object\":\"chat.completion\",\"created\":")
                .append(createdSeconds).append(",\"model\":").append(quotedModel).append(",\"choices\":[");
        for (int index = 0; index < choices; index++) {
            json.append(index == 0 ? "" : ",").append("{\"index\":").append(index)
                    .append(",\"message\":{\"role\":\"assistant\",\"content\":\"").append(replyTexts[tokensPerChoice])
                    .append("\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"").append(finishReason).append("\"}");
        }
        json.append("],");
        appendUsage(json, promptTokens, (long) tokensPerChoice * choices);
        return json.append(",\"system_fingerprint\":\"fp_sim\"}").toString();
    }

    static String embeddings(String quotedModel, int inputs, long promptTokens) {
        StringBuilder json = new StringBuilder(160 + inputs * 170);
        json.append("{\"object\":\"list\",\"data\":[");
        for (int index = 0; index < inputs; index++) {
            json.append(index == 0 ? "" : ",").append("{\"object\":\"embedding\",\"index\":").append(index)
                    .append(",\"embedding\":").append(EMBEDDING).append('}');
        }
        return json.append("],\"model\":").append(quotedModel).append(",\"usage\":{\"prompt_tokens\":")
                .append(promptTokens).append(",\"total_tokens\":").append(promptTokens).append("}}").toString();
    }

    /** One SSE event of a stream: a content delta, with the role on the first and the finish reason on the last. */
    static String chunkEvent(String id, long createdSeconds, String quotedModel, String content, boolean first,
                             String finishReason) {
        return "data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + createdSeconds
                + ",\"model\":" + quotedModel + ",\"system_fingerprint\":\"fp_sim\",\"choices\":[{\"index\":0,\"delta\":{"
                + (first ? "\"role\":\"assistant\"," : "") + "\"content\":\"" + content + "\"},\"logprobs\":null,"
                + "\"finish_reason\":" + (finishReason == null ? "null" : '"' + finishReason + '"') + "}]}\n\n";
    }

    /** The last event before {@code [DONE]} when the request asked for {@code stream_options.include_usage}. */
    static String usageEvent(String id, long createdSeconds, String quotedModel, long promptTokens, long completionTokens) {
        StringBuilder json = new StringBuilder(256).append("data: {\"id\":\"").append(id)
                .append("\",\"object\":\"chat.completion.chunk\",\"created\":").append(createdSeconds)
                .append(",\"model\":").append(quotedModel).append(",\"system_fingerprint\":\"fp_sim\",\"choices\":[],");
        appendUsage(json, promptTokens, completionTokens);
        return json.append("}\n\n").toString();
    }

    private static void appendUsage(StringBuilder json, long promptTokens, long completionTokens) {
        json.append("\"usage\":{\"prompt_tokens\":").append(promptTokens).append(",\"completion_tokens\":")
                .append(completionTokens).append(",\"total_tokens\":").append(promptTokens + completionTokens).append('}');
    }
}
