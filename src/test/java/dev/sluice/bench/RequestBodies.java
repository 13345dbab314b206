package dev.sluice.bench;

import java.util.SplittableRandom;

/**
 * Request bodies of the driver's mix: short or long prompts, streamed or not, with a maximum or without.
 * Chat bodies carry a system and a user message; Responses bodies the same words as {@code instructions}
 * and {@code input} (a string for the short prompt, a message of one {@code input_text} part for the long
 * one, so that both shapes are exercised), {@code max_output_tokens} for {@code max_tokens}.
 */
final class RequestBodies {

    private static final String SENTENCE = "Summarise the following meeting notes in three bullet points for the team. ";
    // 7,875 characters: 1,576 cl100k_base tokens in the usage (this English runs at five characters a token),
    // 1,969 as a rate limiter estimates it on arrival (the rule-of-thumb four).
    private static final String LARGE_PROMPT = SENTENCE.repeat(8000 / SENTENCE.length());
    private static final String SMALL_PROMPT = "Say hello to the team in one short sentence.";
    private static final String SYSTEM = "You are terse.";

    private final double largePromptShare;
    private final double streamShare;
    private final int maxTokens;
    private final LoadConfig.Api api;
    /** The share of requests that repeat one of {@link #repeatPool} prompts, the others unique; below 0: the plain mix. */
    private final double repeatShare;
    private final int repeatPool;

    RequestBodies(double largePromptShare, double streamShare, int maxTokens) {
        this(largePromptShare, streamShare, maxTokens, LoadConfig.Api.CHAT, -1, 0);
    }

    RequestBodies(double largePromptShare, double streamShare, int maxTokens, LoadConfig.Api api, double repeatShare, int repeatPool) {
        this.largePromptShare = largePromptShare;
        this.streamShare = streamShare;
        this.maxTokens = maxTokens;
        this.api = api;
        this.repeatShare = repeatShare;
        this.repeatPool = repeatPool;
    }

    /** One body, drawn from the mix. */
    Body next(SplittableRandom random) {
        boolean large = random.nextDouble() < largePromptShare;
        boolean stream = random.nextDouble() < streamShare;
        String prompt = large ? LARGE_PROMPT : SMALL_PROMPT;
        if (repeatShare >= 0) {
            // a repeated question (one of the pool's, asked again and again) or one never asked before
            prompt += random.nextDouble() < repeatShare ? " (question " + random.nextInt(repeatPool) + ")"
                    : " (unique " + Long.toHexString(random.nextLong()) + ")";
        }
        String json = switch (api) {
            case CHAT -> "{\"model\":\"gpt-sim\"" + (maxTokens > 0 ? ",\"max_tokens\":" + maxTokens : "")
                    + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "")
                    + ",\"messages\":[{\"role\":\"system\",\"content\":\"" + SYSTEM + "\"},"
                    + "{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
            case RESPONSES -> "{\"model\":\"gpt-sim\"" + (maxTokens > 0 ? ",\"max_output_tokens\":" + maxTokens : "")
                    + (stream ? ",\"stream\":true" : "") + ",\"instructions\":\"" + SYSTEM + "\",\"input\":"
                    + (large ? "[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"" + prompt + "\"}]}]"
                    : "\"" + prompt + "\"") + "}";
        };
        return new Body(json, stream);
    }

    record Body(String json, boolean stream) {
    }
}
