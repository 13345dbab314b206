package dev.sluice.sim;

/**
 * One API call as the {@link Gate} meters it: what it is charged on arrival, what it reports when it
 * is answered, and how it is answered when no fault gets in the way. The defaults are those of a call
 * that costs one request and no tokens (a lookup, a file, a moderation), so such a call is a lambda.
 */
@FunctionalInterface
interface Call {

    /** Answers the admitted call once its latency has passed and no fault answered it instead. */
    void reply(Answer answer);

    /** Tokens taken from the TPM bucket on arrival, beside the one request. */
    default long tokenCost() {
        return 0;
    }

    /** A stream can be cut short by an abort fault; nothing else can. */
    default boolean stream() {
        return false;
    }

    /** Counted in the stats when the call is answered without a fault. */
    default long promptTokens() {
        return 0;
    }

    default long completionTokens() {
        return 0;
    }

    /** What the call really used once answered: usage accounting settles the TPM charge to this. */
    default long usedTokens() {
        return tokenCost();
    }

    /**
     * The call will never be replied: it was refused (429), or a fault answered it. Whatever it set
     * aside on arrival (an uploaded file) can go.
     */
    default void dropped() {
    }
}
