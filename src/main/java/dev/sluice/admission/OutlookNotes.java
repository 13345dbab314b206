package dev.sluice.admission;

import dev.sluice.limit.BucketSnapshot;
import dev.sluice.limit.Saturating;
import dev.sluice.upstream.UpstreamOutlook;

import java.util.Optional;

/**
 * What this instance's view of an upstream ({@link UpstreamOutlook}) learns from the
 * store's decisions, so that the next request's choice of upstream costs no round trip: how full its
 * buckets were after an admission, until when its buckets or a model's pause refused, and what the
 * upstream's own remaining-limit headers said.
 */
public final class OutlookNotes {

    private OutlookNotes() {
    }

    /** An admission on the upstream: how much it left, and that a probe of a half-open breaker is taken. */
    public static void admitted(UpstreamOutlook outlook, Decision.Admitted<?> admitted, UpstreamLimits limits) {
        outlook.claimProbe();
        outlook.admitted(share(admitted.after(LimitScope.UPSTREAM_KEY), limits.requests().isPresent()),
                share(admitted.after(LimitScope.UPSTREAM_TOKENS), limits.tokens().isPresent()));
    }

    /** A refusal by the upstream's own limit: it is paused for the model, or out of capacity until the refusal's end. */
    public static void refused(UpstreamOutlook outlook, Decision.Refused<?> refused, String model, long nowNanos) {
        if (refused.refusal().neverAdmissible()) {
            return;
        }
        long until = Saturating.add(nowNanos, refused.refusal().retryAfterNanos());
        if (refused.by().scope() == LimitScope.UPSTREAM_COOLDOWN) {
            outlook.coolingUntil(model, nowNanos, until);
        } else {
            outlook.refusedUntil(until);
        }
    }

    /** The upstream's own word on what is left lowered its buckets. */
    public static void capped(UpstreamOutlook outlook, Settlements.Caps caps) {
        if (!caps.adjustments().isEmpty()) {
            outlook.admitted(caps.requestsShare(), caps.tokensShare());
        }
    }

    /**
     * The share of a bucket left after an admission: 1 when the upstream has no such bucket, negative
     * (unknown: the outlook keeps what it knew) when it has one this admission did not charge.
     */
    static double share(Optional<BucketSnapshot> after, boolean exists) {
        if (after.isEmpty()) {
            return exists ? -1 : 1.0;
        }
        BucketSnapshot bucket = after.get();
        return bucket.capacity() <= 0 ? 0 : Math.max(0, (double) bucket.availableTokens() / bucket.capacity());
    }
}
