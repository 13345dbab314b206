package dev.sluice.admission;

import dev.sluice.limit.BucketCharge;
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

    /** The same lease, to be sent at another moment. */
    public Lease sentAt(long nanos) {
        return new Lease(upstream, tokenCharge, requestsLeft, tokensLeft, nanos);
    }
}
