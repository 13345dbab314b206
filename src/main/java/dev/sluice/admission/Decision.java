package dev.sluice.admission;

import dev.sluice.limit.Admission;
import dev.sluice.limit.BucketSnapshot;

import java.util.List;
import java.util.Optional;

/**
 * What the store said of a request on its candidate upstreams.
 *
 * @param <C> what a candidate is: an upstream, or whatever a test tries
 */
public sealed interface Decision<C> {

    /** Admitted on {@code candidate}, with these charges. */
    record Admitted<C>(C candidate, List<ScopedCharge> charges, Admission.Admitted admission) implements Decision<C> {

        public Admitted {
            charges = List.copyOf(charges);
        }

        /** The state of the bucket a scope charged, right after this admission; empty when none of its charges has the scope. */
        public Optional<BucketSnapshot> after(LimitScope scope) {
            for (int i = 0; i < charges.size(); i++) {
                if (charges.get(i).scope() == scope) {
                    return Optional.of(admission.buckets().get(i));
                }
            }
            return Optional.empty();
        }
    }

    /** Refused, by the limit {@code by}: the caller's own, or of every candidate the one that frees up first. */
    record Refused<C>(ScopedCharge by, Admission.Refused refusal) implements Decision<C> {
    }
}
