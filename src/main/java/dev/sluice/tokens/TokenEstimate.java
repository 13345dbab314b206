package dev.sluice.tokens;

/**
 * What one request may cost in tokens, known before it is sent: what a tokens-per-minute bucket
 * reserves, to be settled against the {@code usage} the upstream reports.
 *
 * @param promptTokens        tokens of the input, as the upstream's tokenizer is expected to count
 *                            them; at least 0
 * @param maxCompletionTokens the most one choice may generate, from 0 (embeddings) to
 *                            {@link #MAX_COMPLETION_TOKENS}
 * @param choices             how many completions are generated, each up to
 *                            {@code maxCompletionTokens}; at least 1
 */
public record TokenEstimate(long promptTokens, long maxCompletionTokens, int choices) {

    /**
     * The largest completion budget a request can reserve per choice. Far above any model's
     * context window; it keeps {@link #reservedTokens()} far from overflow.
     */
    public static final long MAX_COMPLETION_TOKENS = 10_000_000;

    public TokenEstimate {
        if (promptTokens < 0) {
            throw new IllegalArgumentException("promptTokens must be >= 0, got " + promptTokens);
        }
        if (maxCompletionTokens < 0 || maxCompletionTokens > MAX_COMPLETION_TOKENS) {
            throw new IllegalArgumentException("maxCompletionTokens must be from 0 to " + MAX_COMPLETION_TOKENS
                    + ", got " + maxCompletionTokens);
        }
        if (choices < 1) {
            throw new IllegalArgumentException("choices must be >= 1, got " + choices);
        }
    }

    /**
     * The tokens to reserve: the prompt plus the most every choice may generate. Never negative; a
     * sum beyond {@code Long.MAX_VALUE} is {@code Long.MAX_VALUE}.
     */
    public long reservedTokens() {
        // At most 10^7 × (2^31 − 1) ≈ 2.1 × 10^16: the product cannot overflow; only the sum can.
        long completionTokens = maxCompletionTokens * choices;
        return promptTokens > Long.MAX_VALUE - completionTokens ? Long.MAX_VALUE : promptTokens + completionTokens;
    }
}
