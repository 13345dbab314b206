package dev.sluice.admission;

import dev.sluice.upstream.Upstream;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An admitted request: how long it was held, its plan (what it reserved from the caller's limits that
 * count tokens), and its first attempt's {@link Lease}.
 *
 * @param waitedNanos how long the request was held before it may be sent
 * @param callerId    whose request it is (for usage counters)
 * @param plan        its charges, planned once
 * @param lease       the first attempt's upstream and its charges there
 * @param candidates  the upstreams that may serve the request, for its retries
 * @param slot        its slot among the caller's requests in flight, when its plan limits them: given
 *                    back when the request ends
 */
public record Ticket(long waitedNanos, String callerId, AdmissionPlan plan, Lease lease, List<Upstream> candidates,
        Optional<HeldSlots.Slot> slot) {

    public Ticket {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(lease, "lease");
        candidates = List.copyOf(candidates);
        Objects.requireNonNull(slot, "slot");
    }
}
