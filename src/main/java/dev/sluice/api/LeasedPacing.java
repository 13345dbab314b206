package dev.sluice.api;

import dev.sluice.admission.Lease;
import dev.sluice.admission.Ticket;
import dev.sluice.upstream.ResilientUpstream;
import dev.sluice.upstream.Throttle;
import dev.sluice.upstream.Upstream;
import dev.sluice.usage.AttemptCost;
import io.smallrye.mutiny.Uni;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One admitted request's pacing across its attempts ({@link ResilientUpstream.Pacing}), through the
 * {@link AdmissionGate}: each retry is admitted on an upstream's own limits, each 429 is heard, and each
 * attempt is held when it is late for its admission. Holds the lease of the latest attempt, which is
 * what the request's settlement, its log line and its owner record name.
 */
final class LeasedPacing implements ResilientUpstream.Pacing {

    private final AdmissionGate gate;
    private final Ticket ticket;
    private final String model;
    /** Replaced by each retry's admission and by a late attempt's fresh place; read on the request's event loop. */
    private final AtomicReference<Lease> lease;

    LeasedPacing(AdmissionGate gate, Ticket ticket, String model) {
        this.gate = gate;
        this.ticket = ticket;
        this.model = model;
        this.lease = new AtomicReference<>(ticket.lease());
    }

    /** The latest attempt's lease: the first attempt's until a retry is admitted. */
    Lease lease() {
        return lease.get();
    }

    @Override
    public Uni<Upstream> admitRetry(Set<String> failed, AttemptCost lastCost, long maxWaitNanos) {
        return gate.admitRetry(ticket, lease.get(), failed, lastCost, model, maxWaitNanos).map(next -> {
            lease.set(next);
            return next.upstream();
        });
    }

    @Override
    public boolean anotherAvailable(Set<String> failed) {
        return gate.anotherAvailable(ticket, failed, model);
    }

    @Override
    public boolean anotherCandidate(Set<String> failed) {
        return gate.anotherCandidate(ticket, failed);
    }

    @Override
    public void throttled(Upstream upstream, Throttle throttle, Map<String, List<String>> replyHeaders) {
        gate.throttled(lease.get(), model, throttle, replyHeaders);
    }

    @Override
    public Uni<Void> beforeSend() {
        return gate.onTime(lease.get()).invoke(lease::set).replaceWithVoid();
    }
}
