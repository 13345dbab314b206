package dev.sluice.usage;

/**
 * The tokens an upstream reports it spent on one call, from its {@code usage} object.
 *
 * @param promptTokens     tokens of the input ({@code usage.prompt_tokens}); at least 0
 * @param completionTokens tokens generated ({@code usage.completion_tokens}); 0 for embeddings, which
 *                         generate none
 */
public record TokenUsage(long promptTokens, long completionTokens) {

    public TokenUsage {
        if (promptTokens < 0 || completionTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0, got prompt " + promptTokens
                    + " and completion " + completionTokens);
        }
        if (promptTokens > Long.MAX_VALUE - completionTokens) {
            throw new IllegalArgumentException("prompt " + promptTokens + " + completion " + completionTokens
                    + " tokens overflow a long");
        }
    }

    /** Prompt plus completion tokens: what a tokens-per-minute limit charges. */
    public long totalTokens() {
        return promptTokens + completionTokens;
    }
}
