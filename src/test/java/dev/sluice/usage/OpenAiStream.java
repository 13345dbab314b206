package dev.sluice.usage;

/** Server-sent event streams shaped like OpenAI's chat completion streams, for the tap's tests. */
final class OpenAiStream {

    private static final String HEAD = "{\"id\":\"chatcmpl-B9\",\"object\":\"chat.completion.chunk\",\"created\":1741000000,"
            + "\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_06737a9306\",";

    static final String ROLE = "data: " + HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\","
            + "\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n";
    static final String HELLO = "data: " + HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello \\\"usage\\\": {\"},"
            + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n";
    static final String WORLD = "data: " + HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" wörld 😀\"},"
            + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n";
    static final String FINISH = "data: " + HEAD + "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,"
            + "\"finish_reason\":\"stop\"}],\"usage\":null}\n\n";
    static final String USAGE = "data: " + HEAD + "\"choices\":[],\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":4,"
            + "\"total_tokens\":23,\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
            + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n";
    static final String DONE = "data: [DONE]\n\n";
    static final String KEEP_ALIVE = ": keep-alive\n\n";

    static final TokenUsage REPORTED = new TokenUsage(19, 4);

    /** A whole stream with the usage chunk, and keep-alive comments as some proxies add them. */
    static final String WITH_USAGE = ROLE + KEEP_ALIVE + HELLO + WORLD + FINISH + KEEP_ALIVE + USAGE + DONE;

    private OpenAiStream() {
    }

    /** The same stream with CRLF (or CR) line ends instead of LF. */
    static String withLineEnds(String stream, String lineEnd) {
        return stream.replace("\n", lineEnd);
    }
}
