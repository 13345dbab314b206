package dev.sluice.tokens;

/**
 * What one request may cost in tokens, known before it is sent, in the two ways it is counted:
 * {@link #reservedTokens()}, what it may really use (counted with the model's tokenizer), which a
 * caller's quotas and a usage-counting upstream reserve and settle with the reply's {@code usage};
 * and {@link #chargedOnArrival()}, what an upstream whose rate limiter counts a request when it
 * arrives charges for it, and never gives back.
 *
 * @param promptTokens               tokens of the input, as the upstream's tokenizer is expected to
 *                                   count them; at least 0
 * @param promptTokensFromCharacters the input as a rate limiter estimates it from its length: one token
 *                                   per four characters of its text (rounded up), images and token ids
 *                                   as {@code promptTokens} counts them; at least 0
 * @param maxCompletionTokens        the most one choice may generate, from 0 (embeddings) to
 *                                   {@link #MAX_COMPLETION_TOKENS}
 * @param choices                    how many completions are generated, each up to
 *                                   {@code maxCompletionTokens}; at least 1
 */
public record TokenEstimate(long promptTokens, long promptTokensFromCharacters, long maxCompletionTokens, int choices) {

    /**
     * The largest completion budget a request can reserve per choice. Far above any model's
     * context window; it keeps the sums below far from overflow.
     */
    public static final long MAX_COMPLETION_TOKENS = 10_000_000;

    /** A request no limit counts the tokens of: nothing is reserved or charged. */
    public static final TokenEstimate NONE = new TokenEstimate(0, 0, 0, 1);

    public TokenEstimate {
        if (promptTokens < 0) {
            throw new IllegalArgumentException("promptTokens must be >= 0, got " + promptTokens);
        }
        if (promptTokensFromCharacters < 0) {
            throw new IllegalArgumentException("promptTokensFromCharacters must be >= 0, got " + promptTokensFromCharacters);
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
     * The most the request may use: the prompt plus the most every choice may generate. Never
     * negative; a sum beyond {@code Long.MAX_VALUE} is {@code Long.MAX_VALUE}.
     */
    public long reservedTokens() {
        return plusCompletions(promptTokens);
    }

    /**
     * What a rate limiter that counts a request on arrival charges: the input estimated from its
     * characters plus the most every choice may generate (OpenAI's and Azure OpenAI's way, see
     * docs/architecture.md). Never negative, saturating like {@link #reservedTokens()}.
     */
    public long chargedOnArrival() {
        return plusCompletions(promptTokensFromCharacters);
    }

    private long plusCompletions(long prompt) {
        // At most 10^7 × (2^31 − 1) ≈ 2.1 × 10^16: the product cannot overflow; only the sum can.
        long completionTokens = maxCompletionTokens * choices;
        return prompt > Long.MAX_VALUE - completionTokens ? Long.MAX_VALUE : prompt + completionTokens;
    }
}
