package dev.sluice.admission;

import dev.sluice.limit.BucketAdjustment;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.usage.AttemptCost;
import dev.sluice.usage.TokenAccounting;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The corrections an attempt's outcome makes to the buckets: what it reserved, and what its upstream says is left. */
public final class Settlements {

    private Settlements() {
    }

    /**
     * Corrects a request's token reservations by what its last attempt cost: the caller's token quotas
     * by what it really used, the attempt's upstream as that upstream counts.
     */
    public static List<BucketAdjustment> corrections(List<BucketCharge> callerTokenCharges,
            Optional<BucketCharge> upstreamTokenCharge, TokenAccounting upstreamAccounting, AttemptCost cost) {
        List<BucketAdjustment> adjustments = new ArrayList<>(callerTokenCharges.size() + 1);
        for (BucketCharge charge : callerTokenCharges) {
            adjust(adjustments, charge, TokenAccounting.USAGE.correction(cost, charge.tokens()));
        }
        upstreamTokenCharge.ifPresent(charge -> adjust(adjustments, charge, upstreamAccounting.correction(cost, charge.tokens())));
        return adjustments;
    }

    private static void adjust(List<BucketAdjustment> adjustments, BucketCharge charge, long delta) {
        if (delta != 0) {
            adjustments.add(new BucketAdjustment(charge.key(), charge.policy(), delta));
        }
    }

    /**
     * What the upstream's {@code x-ratelimit-remaining-*} says of its key, where it says fewer than
     * Sluice's shared bucket held: caps that lower the buckets to match (someone else uses the key too,
     * or its real limit is lower than configured), and the share of each bucket left (negative: not said).
     */
    public record Caps(List<BucketAdjustment> adjustments, double requestsShare, double tokensShare) {
    }

    /** What an admission left in an upstream's requests and tokens buckets; empty for a bucket it did not charge. */
    public record Left(OptionalLong requestsLeft, OptionalLong tokensLeft) {
    }

    /**
     * @param lease             what the attempt's admission left in the upstream's buckets ({@link Lease})
     * @param remainingRequests the upstream's remaining requests; empty when it did not say
     * @param remainingTokens   the upstream's remaining tokens; empty when it did not say
     */
    public static Caps caps(UpstreamLimits limits, Left lease, OptionalLong remainingRequests, OptionalLong remainingTokens) {
        List<BucketAdjustment> caps = new ArrayList<>(2);
        double requestsShare = -1;
        double tokensShare = -1;
        if (limits.requests().isPresent() && lower(remainingRequests, lease.requestsLeft())) {
            BucketPolicy policy = limits.requests().get();
            caps.add(BucketAdjustment.capAt(limits.requestsKey(), policy, remainingRequests.getAsLong()));
            requestsShare = Math.min(1.0, (double) remainingRequests.getAsLong() / policy.capacity());
        }
        if (limits.tokens().isPresent() && lower(remainingTokens, lease.tokensLeft())) {
            BucketPolicy policy = limits.tokens().get();
            caps.add(BucketAdjustment.capAt(limits.tokensKey(), policy, remainingTokens.getAsLong()));
            tokensShare = Math.min(1.0, (double) remainingTokens.getAsLong() / policy.capacity());
        }
        return new Caps(caps, requestsShare, tokensShare);
    }

    /** Whether the upstream said fewer than the bucket held (a bucket not charged held as much as can be). */
    private static boolean lower(OptionalLong remaining, OptionalLong held) {
        return remaining.isPresent() && remaining.getAsLong() >= 0 && (held.isEmpty() || remaining.getAsLong() < held.getAsLong());
    }
}
