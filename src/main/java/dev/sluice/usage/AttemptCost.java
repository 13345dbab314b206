package dev.sluice.usage;

/**
 * What one upstream attempt cost, as far as its token reservations are concerned: whether it reached
 * the upstream, and what it really used. Each {@link TokenAccounting} turns it into a correction of
 * what the attempt reserved.
 */
public sealed interface AttemptCost {

    /** Never reached the upstream: no connection could be made, or its breaker or bulkhead held it back. */
    AttemptCost NOT_SENT = new NotSent();
    /** The upstream answered with an error (429, 400, 500, 503...): it arrived, nothing was generated. */
    AttemptCost FAILED = new Failed();
    /** It arrived and may have run, but what it used is unknown: no reply in time, a connection cut after sending, a stream without its usage. */
    AttemptCost UNKNOWN = new Unknown();

    /** A successful reply that reported its usage. */
    static AttemptCost used(long tokens) {
        return new Used(tokens);
    }

    record NotSent() implements AttemptCost {
    }

    record Failed() implements AttemptCost {
    }

    record Unknown() implements AttemptCost {
    }

    /** @param tokens prompt + completion tokens, as the upstream reported them; at least 0 */
    record Used(long tokens) implements AttemptCost {
        public Used {
            if (tokens < 0) {
                throw new IllegalArgumentException("used tokens must be >= 0, got " + tokens);
            }
        }
    }
}
