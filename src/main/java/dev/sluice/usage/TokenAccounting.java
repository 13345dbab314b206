package dev.sluice.usage;

/**
 * How an upstream counts a request against its tokens-per-minute limit, and so how Sluice charges and
 * corrects its shared bucket for that upstream. docs/architecture.md cites what OpenAI and Azure
 * OpenAI document.
 */
public enum TokenAccounting {

    /**
     * Counted once, when the request arrives, from an estimate of its input (characters, not tokens)
     * plus the most it may generate, and never given back when the answer is shorter: OpenAI's and
     * Azure OpenAI's rate limiters. Sluice charges the same estimate and corrects nothing afterwards,
     * except for an attempt that never reached the upstream.
     */
    REQUEST,

    /**
     * Counted by what the request really used: a reservation at admission, settled with the
     * {@code usage} the reply reports. Also how a caller's own quotas count.
     */
    USAGE;

    /**
     * The correction of a reservation of {@code chargedTokens} for an attempt that cost {@code cost}:
     * real cost minus charge, negative to give back, 0 to keep the charge as it is.
     *
     * <ul>
     *   <li>Not sent: given back whole, by both.</li>
     *   <li>An error reply, a 429 included: {@link #USAGE} gives it back (nothing was used);
     *       {@link #REQUEST} keeps it (OpenAI: "As unsuccessful requests contribute to your per-minute
     *       limit, continuously resending a request won't work").</li>
     *   <li>A reply with its usage: {@link #USAGE} settles to it; {@link #REQUEST} keeps the charge.</li>
     *   <li>Unknown: kept by both, the side that keeps the fleet under the limit.</li>
     * </ul>
     */
    public long correction(AttemptCost cost, long chargedTokens) {
        if (chargedTokens < 0) {
            throw new IllegalArgumentException("chargedTokens must be >= 0, got " + chargedTokens);
        }
        if (cost instanceof AttemptCost.NotSent) {
            return -chargedTokens;
        }
        if (cost instanceof AttemptCost.Failed) {
            return this == USAGE ? -chargedTokens : 0;
        }
        if (cost instanceof AttemptCost.Used used) {
            return this == USAGE ? used.tokens() - chargedTokens : 0;
        }
        return 0; // Unknown
    }

    /** Whether an attempt that cost {@code cost} is given back whole, so that another may take its charge over. */
    public boolean givesBackWhole(AttemptCost cost) {
        return correction(cost, 1) == -1;
    }
}
