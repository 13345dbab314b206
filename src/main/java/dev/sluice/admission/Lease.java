package dev.sluice.admission;

import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketSnapshot;
import dev.sluice.limit.Saturating;
import dev.sluice.upstream.Upstream;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one attempt holds on its upstream.
 *
 * @param upstream     where the attempt goes
 * @param tokenCharge  its reservation on the upstream's tokens bucket, when it took one
 * @param requestsLeft what the upstream's requests bucket held after the charge; empty when it has none
 * @param tokensLeft   the same for its tokens bucket; empty when the attempt took nothing from it
 * @param sendAtNanos  the moment the admission let the attempt go, by this instance's clock: when the
 *                     store's answer arrived plus the wait it granted
 */
public record Lease(Upstream upstream, Optional<BucketCharge> tokenCharge, OptionalLong requestsLeft, OptionalLong tokensLeft,
        long sendAtNanos) {

    public Lease {
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(tokenCharge, "tokenCharge");
        Objects.requireNonNull(requestsLeft, "requestsLeft");
        Objects.requireNonNull(tokensLeft, "tokensLeft");
    }

    /**
     * The lease an admission on an upstream gives.
     *
     * @param answeredNanos when the store's answer arrived, by this instance's clock
     */
    public static Lease of(Decision.Admitted<Upstream> admitted, long answeredNanos) {
        Optional<BucketCharge> tokenCharge = Optional.empty();
        for (ScopedCharge charge : admitted.charges()) {
            if (charge.scope() == LimitScope.UPSTREAM_TOKENS) {
                tokenCharge = Optional.of(charge.charge());
            }
        }
        return new Lease(admitted.candidate(), tokenCharge, left(admitted.after(LimitScope.UPSTREAM_KEY)),
                left(admitted.after(LimitScope.UPSTREAM_TOKENS)), Saturating.add(answeredNanos, admitted.admission().waitNanos()));
    }

    private static OptionalLong left(Optional<BucketSnapshot> bucket) {
        return bucket.isPresent() ? OptionalLong.of(bucket.get().availableTokens()) : OptionalLong.empty();
    }

    /** This lease holding {@code previous}'s token reservation instead of one of its own ({@link AdmissionPlan#carriesOver}). */
    public Lease withTokensOf(Lease previous) {
        return new Lease(upstream, previous.tokenCharge, requestsLeft, previous.tokensLeft, sendAtNanos);
    }

    /** The same lease, to be sent at another moment. */
    public Lease sentAt(long nanos) {
        return new Lease(upstream, tokenCharge, requestsLeft, tokensLeft, nanos);
    }
}
