package dev.sluice.upstream;

import dev.sluice.usage.AttemptCost;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What one request's attempts have been so far, never changed: each failed attempt makes a new
 * history with one more {@link Failed}, which the retry predicate and the backoff read (as SmallRye's
 * own retry threads one state through its loop).
 *
 * @param firstAttemptNanos when the first attempt started, by the limiter's clock
 * @param failed            the failed attempts, in order
 */
record AttemptHistory(long firstAttemptNanos, List<Failed> failed) {

    AttemptHistory {
        failed = List.copyOf(failed);
    }

    static AttemptHistory startingAt(long nowNanos) {
        return new AttemptHistory(nowNanos, List.of());
    }

    /**
     * One attempt that may be worth another.
     *
     * @param upstream          where it went
     * @param reply             what the upstream answered (429, 500, 502, 503, 504); empty when it did not
     * @param failure           why there was no answer; empty when there was one
     * @param tooLarge          the upstream said the request is larger than its limit: no wait helps there
     * @param advisedMillis     the wait the upstream advised, 0 when none
     * @param alternativeReady  another upstream could take the next attempt now
     * @param alternativeExists another candidate upstream exists at all, ready now or later
     */
    record Failed(String upstream, Optional<UpstreamReply> reply, Optional<UpstreamFailure> failure, boolean tooLarge, long advisedMillis,
            boolean alternativeReady, boolean alternativeExists) {

        Failed {
            if (reply.isPresent() == failure.isPresent()) {
                throw new IllegalArgumentException("an attempt has a reply or a failure, one of them");
            }
        }

        /** Whether it reached the upstream: its breaker and bulkhead let it through. */
        boolean called() {
            return failure.map(notAnswered -> !notAnswered.kind().notCalled()).orElse(true);
        }

        /** What it cost its upstream: an error reply (a 429 too) ran nothing; without one, see {@link UpstreamFailure#cost()}. */
        AttemptCost cost() {
            return reply.isPresent() ? AttemptCost.FAILED : failure.get().cost();
        }
    }

    AttemptHistory with(Failed attempt) {
        List<Failed> longer = new ArrayList<>(failed.size() + 1);
        longer.addAll(failed);
        longer.add(attempt);
        return new AttemptHistory(firstAttemptNanos, longer);
    }

    /** The number the next attempt has: 1 for the first. */
    int nextAttempt() {
        return failed.size() + 1;
    }

    Failed last() {
        if (failed.isEmpty()) {
            throw new IllegalStateException("no attempt has failed yet");
        }
        return failed.get(failed.size() - 1);
    }

    /** The names of the upstreams the request failed on. */
    Set<String> failedUpstreams() {
        Set<String> names = new HashSet<>();
        failed.forEach(attempt -> names.add(attempt.upstream()));
        return Set.copyOf(names);
    }

    /**
     * The attempt whose answer the caller gets when no retry follows: the last one that reached an
     * upstream (its answer is worth more than "breaker open"), else the last one.
     */
    Failed toRelay() {
        for (int i = failed.size() - 1; i >= 0; i--) {
            if (failed.get(i).called()) {
                return failed.get(i);
            }
        }
        return last();
    }

    long spentNanos(long nowNanos) {
        return nowNanos - firstAttemptNanos;
    }
}
