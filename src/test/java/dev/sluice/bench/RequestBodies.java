package dev.sluice.bench;

import java.util.SplittableRandom;

/** Chat request bodies of the driver's mix: short or long prompts, streamed or not, with a max_tokens or without. */
final class RequestBodies {

    private static final String SENTENCE = "Summarise the following meeting notes in three bullet points for the team. ";
    // 7,875 characters: 1,576 cl100k_base tokens in the usage (this English runs at five characters a token),
    // 1,969 as a rate limiter estimates it on arrival (the rule-of-thumb four).
    private static final String LARGE_PROMPT = SENTENCE.repeat(8000 / SENTENCE.length());

    private final double largePromptShare;
    private final double streamShare;
    private final int maxTokens;

    RequestBodies(double largePromptShare, double streamShare, int maxTokens) {
        this.largePromptShare = largePromptShare;
        this.streamShare = streamShare;
        this.maxTokens = maxTokens;
    }

    /** One body, drawn from the mix. */
    Body next(SplittableRandom random) {
        boolean large = random.nextDouble() < largePromptShare;
        boolean stream = random.nextDouble() < streamShare;
        String prompt = large ? LARGE_PROMPT : "Say hello to the team in one short sentence.";
        String json = "{\"model\":\"gpt-sim\"" + (maxTokens > 0 ? ",\"max_tokens\":" + maxTokens : "")
                + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "")
                + ",\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
                + "{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
        return new Body(json, stream);
    }

    record Body(String json, boolean stream) {
    }
}
