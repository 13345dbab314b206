package dev.sluice.admission;

import dev.sluice.limit.Admission;
import dev.sluice.limit.BucketCharge;
import io.smallrye.mutiny.Uni;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The one failover loop, for a request's first admission and for each of its retries: its candidate
 * upstreams are asked in order until one admits it. A refusal by a limit of the caller's (its requests,
 * its address's, its quotas) ends the loop, since no other upstream changes it; a refusal by an
 * upstream's own limit passes to the next candidate; when every candidate refuses, the refusal whose
 * capacity comes back first is the answer (one that never will comes last).
 */
public final class Failover {

    private Failover() {
    }

    /**
     * @param order     the candidates, best first; at least one
     * @param chargesOn what the request is charged on a candidate
     * @param decide    the store's decision on charges
     * @param refusedOn hears each refusal by a candidate's own limit, before the next one is asked
     */
    public static <C> Uni<Decision<C>> admit(List<C> order, Function<C, List<ScopedCharge>> chargesOn,
            Function<List<BucketCharge>, Uni<Admission>> decide, BiConsumer<C, Decision.Refused<C>> refusedOn) {
        if (order.isEmpty()) {
            throw new IllegalArgumentException("no candidate to admit the request on");
        }
        return admitFrom(0, order, chargesOn, decide, refusedOn, null);
    }

    private static <C> Uni<Decision<C>> admitFrom(int index, List<C> order, Function<C, List<ScopedCharge>> chargesOn,
            Function<List<BucketCharge>, Uni<Admission>> decide, BiConsumer<C, Decision.Refused<C>> refusedOn,
            Decision.Refused<C> earliestSoFar) {
        C candidate = order.get(index);
        List<ScopedCharge> charges = chargesOn.apply(candidate);
        return decide.apply(charges.stream().map(ScopedCharge::charge).toList()).flatMap(admission -> {
            if (admission instanceof Admission.Admitted admitted) {
                return Uni.createFrom().item(new Decision.Admitted<>(candidate, charges, admitted));
            }
            Admission.Refused refused = (Admission.Refused) admission;
            Decision.Refused<C> refusal = new Decision.Refused<>(charges.get(refused.chargeIndex()), refused);
            if (!refusal.by().scope().upstream()) {
                return Uni.createFrom().item(refusal);
            }
            refusedOn.accept(candidate, refusal);
            Decision.Refused<C> earliest = earliestSoFar == null
                    || refused.retryAfterNanos() < earliestSoFar.refusal().retryAfterNanos() ? refusal : earliestSoFar;
            return index + 1 < order.size() ? admitFrom(index + 1, order, chargesOn, decide, refusedOn, earliest)
                    : Uni.createFrom().item(earliest);
        });
    }
}
