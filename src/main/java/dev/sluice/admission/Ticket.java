package dev.sluice.admission;

import dev.sluice.upstream.Upstream;

import java.util.List;
import java.util.Objects;

/**
 * An admitted request: how long it was held, its plan (what it reserved from the caller's limits that
 * count tokens), and its first attempt's {@link Lease}.
 *
 * @param waitedNanos how long the request was held before it may be sent
 * @param callerId    whose request it is (for usage counters)
 * @param plan        its charges, planned once
 * @param lease       the first attempt's upstream and its charges there
 * @param candidates  the upstreams that may serve the request, for its retries
 */
public record Ticket(long waitedNanos, String callerId, AdmissionPlan plan, Lease lease, List<Upstream> candidates) {

    public Ticket {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(lease, "lease");
        candidates = List.copyOf(candidates);
    }
}
