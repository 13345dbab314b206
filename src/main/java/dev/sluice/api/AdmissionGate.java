package dev.sluice.api;

import dev.sluice.admission.AdmissionPlan;
import dev.sluice.admission.Decision;
import dev.sluice.admission.Failover;
import dev.sluice.admission.Lease;
import dev.sluice.admission.LimitScope;
import dev.sluice.admission.ScopedCharge;
import dev.sluice.admission.Settlements;
import dev.sluice.admission.UpstreamLimits;
import dev.sluice.config.SluiceSettings;
import dev.sluice.limit.Admission;
import dev.sluice.limit.BucketAdjustment;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketSnapshot;
import dev.sluice.limit.CooldownPolicy;
import dev.sluice.limit.RateLimiter;
import dev.sluice.limit.Saturating;
import dev.sluice.tokens.TokenEstimate;
import dev.sluice.upstream.Randomness;
import dev.sluice.upstream.Upstream;
import dev.sluice.upstream.UpstreamChoice;
import dev.sluice.usage.AttemptCost;
import dev.sluice.usage.TokenAccounting;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Admits a caller's request against every limit that applies, as its {@link AdmissionPlan} says, in
 * one all-or-nothing store call per candidate upstream ({@link Failover}, best first by
 * {@link UpstreamChoice}), or refuses it with a 429 naming the limit that refused. What is left here is
 * the glue to the request's event loop: the store's answer comes back on it, and a request admitted
 * for later is held on a Vert.x timer, never by blocking a thread, and released when its tokens are
 * due; the store hands out those moments in arrival order, so held requests leave first come, first
 * served.
 *
 * <p>Limits that count tokens are charged up front ({@link Ticket}, {@link Lease}) and corrected by
 * {@link #settle} once the attempt's cost is known: a caller's quotas by what the request really used,
 * an upstream's bucket as that upstream counts ({@link TokenAccounting}): by default the provider's
 * own estimate when the request arrives, kept whatever the answer's length.
 */
@ApplicationScoped
public class AdmissionGate {

    private static final Logger LOG = Logger.getLogger("dev.sluice.store");

    private final RateLimiter limiter;
    private final SluiceSettings settings;
    private final UsageCounters usage;
    private final Vertx vertx;
    /** Each upstream's limits, by name. */
    private final Map<String, UpstreamLimits> limits;

    @Inject
    public AdmissionGate(RateLimiter limiter, SluiceSettings settings, UsageCounters usage, Vertx vertx) {
        this.limiter = limiter;
        this.settings = settings;
        this.usage = usage;
        this.vertx = vertx;
        Map<String, UpstreamLimits> byName = new HashMap<>();
        settings.upstreams().forEach(upstream -> byName.put(upstream.name(), new UpstreamLimits(upstream)));
        this.limits = Map.copyOf(byName);
    }

    /**
     * How much later than its admission allowed an attempt may leave before it is admitted again: half
     * the margin the default upstream burst keeps (90 % of a second's worth, so 100 ms of refill).
     */
    static final long LATE_SEND_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(75);
    /** How long a late attempt may be held for a fresh place in its upstream's requests bucket. */
    static final long LATE_SEND_MAX_HOLD_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * An admitted request: how long it was held, its plan (what it reserved from the caller's limits
     * that count tokens), and its first attempt's {@link Lease}.
     *
     * @param waitedNanos how long the request was held before it may be sent
     * @param callerId    whose request it is (for usage counters)
     * @param plan        its charges, planned once
     * @param lease       the first attempt's upstream and its charges there
     * @param candidates  the upstreams that may serve the request, for its retries
     */
    public record Ticket(long waitedNanos, String callerId, AdmissionPlan plan, Lease lease, List<Upstream> candidates) {
    }

    private UpstreamLimits limitsOf(Upstream upstream) {
        return limits.get(upstream.name());
    }

    /**
     * @param clientAddress the client's address for the per-IP limit; ignored when that is off
     * @param estimate      the request's token cost for limits that count tokens, {@link TokenEstimate#NONE}
     *                      when none does
     * @param model         the requested model: the upstreams' pauses are per model
     * @param candidates    the upstreams that may serve it, at least one
     * @return completes with the ticket once the request may be sent; fails with
     *         {@link RateLimitedException} when a limit refuses it
     */
    public Uni<Ticket> admit(CallerIdentity caller, String clientAddress, TokenEstimate estimate, String model,
            List<Upstream> candidates) {
        long now = limiter.nowNanos();
        AdmissionPlan plan = AdmissionPlan.of(settings, caller.id(), clientAddress, estimate, model, now);
        List<Upstream> order = UpstreamChoice.order(candidates, model, Set.of(), now, Randomness::nextDouble);
        return Failover.admit(order, upstream -> plan.firstAttemptOn(limitsOf(upstream)),
                charges -> decide(limiter.tryAcquire(charges)), (upstream, refused) -> noteRefusal(upstream, refused, model))
                .flatMap(decision -> {
                    if (decision instanceof Decision.Refused<Upstream> refused) {
                        usage.refused(caller.id());
                        return Uni.createFrom().failure(refusal(refused));
                    }
                    Decision.Admitted<Upstream> admitted = (Decision.Admitted<Upstream>) decision;
                    usage.admitted(caller.id(), admitted.candidate().name());
                    Lease lease = lease(admitted, limiter.nowNanos());
                    Ticket ticket = new Ticket(admitted.admission().waitNanos(), caller.id(), plan, lease, candidates);
                    return hold(admitted.admission().waitNanos(), ticket);
                });
    }

    /**
     * Admits a retry of an admitted request on the best upstream for it: one it has not failed on
     * when one can take it now. The upstream counts every attempt, so each one takes a request from
     * that upstream's bucket (never from the caller's, who asked once), and its tokens as that
     * upstream counts them; once it is admitted, the attempt that failed is settled by what it cost.
     * A retry on the same upstream whose failed attempt is given back whole carries that reservation
     * instead (the same tokens, without taking them twice for a moment). Held up to
     * {@code maxWaitNanos}; refused beyond it, which ends the retries and leaves the failed attempt
     * to the request's own settlement.
     *
     * @param previous     the lease of the attempt that failed
     * @param failed       names of the upstreams the request failed on
     * @param previousCost what the failed attempt cost its upstream
     */
    public Uni<Lease> admitRetry(Ticket ticket, Lease previous, Set<String> failed, AttemptCost previousCost,
            String model, long maxWaitNanos) {
        AdmissionPlan plan = ticket.plan();
        List<Upstream> order = UpstreamChoice.order(ticket.candidates(), model, failed, limiter.nowNanos(),
                Randomness::nextDouble);
        return Failover.admit(order, upstream -> plan.retryOn(limitsOf(upstream), carriesOver(plan, upstream, previous, previousCost)),
                charges -> decide(limiter.tryAcquire(charges, maxWaitNanos)), (upstream, refused) -> noteRefusal(upstream, refused, model))
                .flatMap(decision -> {
                    if (decision instanceof Decision.Refused<Upstream> refused) {
                        return Uni.createFrom().failure(refusal(refused));
                    }
                    Decision.Admitted<Upstream> admitted = (Decision.Admitted<Upstream>) decision;
                    Upstream upstream = admitted.candidate();
                    usage.retried(upstream.name());
                    Lease lease = lease(admitted, limiter.nowNanos());
                    if (carriesOver(plan, upstream, previous, previousCost)) {
                        lease = new Lease(upstream, previous.tokenCharge(), lease.requestsLeft(), previous.tokensLeft(),
                                lease.sendAtNanos());
                    } else {
                        settle(List.of(), previous, previousCost);
                    }
                    return hold(admitted.admission().waitNanos(), lease);
                });
    }

    /**
     * Whether a retry on {@code upstream} carries the failed attempt's token reservation over instead of
     * taking the same tokens again: on the same upstream, the same amount, and an attempt that its
     * accounting gives back whole.
     */
    private boolean carriesOver(AdmissionPlan plan, Upstream upstream, Lease previous, AttemptCost previousCost) {
        return upstream == previous.upstream() && previous.tokenCharge().isPresent()
                && previous.tokenCharge().get().tokens() == plan.tokensOn(limitsOf(upstream))
                && limitsOf(upstream).accounting().givesBackWhole(previousCost);
    }

    /** Whether an upstream the request has not failed on could take an attempt for {@code model} now. */
    public boolean anotherAvailable(Ticket ticket, Set<String> failed, String model) {
        return UpstreamChoice.anotherAvailable(ticket.candidates(), model, failed, limiter.nowNanos());
    }

    /** Whether the request has a candidate upstream it has not failed on, ready now or not. */
    public boolean anotherCandidate(Ticket ticket, Set<String> failed) {
        return ticket.candidates().stream().anyMatch(candidate -> !failed.contains(candidate.name()));
    }

    /**
     * Pauses an upstream for {@code model} for the whole fleet, as a 429 asked: until then requests
     * for it go to other upstreams, wait (within the max wait) or are refused with the pause's end as
     * their retry-after, and no instance calls it before then. Sent without waiting for the store.
     */
    public void coolDown(Upstream upstream, String model, long pauseMillis) {
        if (pauseMillis <= 0) {
            return;
        }
        upstream.outlook().coolingUntil(model, limiter.nowNanos() + TimeUnit.MILLISECONDS.toNanos(pauseMillis));
        settleWithoutWaiting(List.of(new BucketAdjustment(limitsOf(upstream).cooldownKey(model), CooldownPolicy.INSTANCE,
                pauseMillis)), "a cooldown");
    }

    /**
     * Takes the upstream's word for what is left on its key: when its {@code x-ratelimit-remaining-*}
     * says fewer than Sluice's shared bucket holds (someone else uses the key too, or its real limit
     * is lower than configured), the bucket is lowered to match, for the whole fleet; and its
     * {@code x-ratelimit-limit-*} below the configured limit replaces it ({@link UpstreamLimits#learn}).
     * Costs a store round trip only when a bucket is lowered; sent without waiting.
     *
     * @param remainingRequests the upstream's remaining requests, when it said
     * @param remainingTokens   the upstream's remaining tokens, when it said
     * @param limitRequests     its requests per minute, when it said
     * @param limitTokens       its tokens per minute, when it said
     */
    public void learn(Lease lease, OptionalLong remainingRequests, OptionalLong remainingTokens, OptionalLong limitRequests,
            OptionalLong limitTokens) {
        UpstreamLimits limits = limitsOf(lease.upstream());
        limits.learn(limitRequests.orElse(-1), limitTokens.orElse(-1));
        Settlements.Caps caps = Settlements.caps(limits, new Settlements.Left(lease.requestsLeft(), lease.tokensLeft()),
                remainingRequests, remainingTokens);
        if (!caps.adjustments().isEmpty()) {
            lease.upstream().outlook().admitted(caps.requestsShare(), caps.tokensShare());
            settleWithoutWaiting(caps.adjustments(), "the upstream's remaining limits");
        }
    }

    /**
     * Corrects a request's token reservations by what its last attempt cost: the caller's quotas
     * (from the ticket) by what it really used, the last attempt's upstream (from its lease) as that
     * upstream counts. Sent after the reply and never awaited: a lost settlement leaves a reservation
     * as it was, which errs on the side of the limits.
     */
    public void settle(Ticket ticket, Lease lease, AttemptCost cost) {
        settle(ticket.plan().callerTokenCharges(), lease, cost);
    }

    private void settle(List<BucketCharge> callerTokenCharges, Lease lease, AttemptCost cost) {
        List<BucketAdjustment> corrections = Settlements.corrections(callerTokenCharges, lease.tokenCharge(),
                limitsOf(lease.upstream()).accounting(), cost);
        if (!corrections.isEmpty()) {
            settleWithoutWaiting(corrections, "a settlement of token reservations");
        }
    }

    /**
     * Sends corrections to the store and does not wait: the request they follow is already answered,
     * and a lost one costs precision, not correctness (a reservation stays as charged, a pause or a cap
     * is not applied and the next 429 or reply brings it again), so a failure is only worth a debug line.
     */
    private void settleWithoutWaiting(List<BucketAdjustment> adjustments, String what) {
        limiter.settle(adjustments, List.of()).whenComplete((ignored, failure) -> {
            if (failure != null) {
                LOG.debugf("Not stored: %s (%s)", what, failure.getMessage());
            }
        });
    }

    /**
     * The store's decision, on the request's event loop. The in-memory store decides at once; a shared
     * store answers on one of its own threads, and the request continues on its event loop, which
     * Vert.x would hop to anyway.
     */
    private Uni<Admission> decide(CompletionStage<Admission> pending) {
        CompletableFuture<Admission> decision = pending.toCompletableFuture();
        if (decision.isDone() && !decision.isCompletedExceptionally()) {
            return Uni.createFrom().item(decision.join());
        }
        Uni<Admission> answered = Uni.createFrom().completionStage(decision);
        Context context = vertx.getOrCreateContext();
        if (context.isEventLoopContext()) {
            answered = answered.emitOn(task -> context.runOnContext(ignored -> task.run()));
        }
        return answered;
    }

    /** What this instance learns from a refusal: the upstream is paused for the model, or out of capacity for a while. */
    private void noteRefusal(Upstream upstream, Decision.Refused<Upstream> refused, String model) {
        if (refused.refusal().neverAdmissible()) {
            return;
        }
        long until = Saturating.add(limiter.nowNanos(), refused.refusal().retryAfterNanos());
        if (refused.by().scope() == LimitScope.UPSTREAM_COOLDOWN) {
            upstream.outlook().coolingUntil(model, until);
        } else {
            upstream.outlook().refusedUntil(until);
        }
    }

    private static RateLimitedException refusal(Decision.Refused<Upstream> refused) {
        BucketCharge charge = refused.by().charge();
        return RateLimitedException.of(refused.by().scope(), charge.policy(), charge.tokens(), refused.refusal());
    }

    /** The attempt's lease, and what the upstream's outlook learns from the admission. */
    private Lease lease(Decision.Admitted<Upstream> admitted, long answeredNanos) {
        Upstream upstream = admitted.candidate();
        UpstreamLimits limits = limitsOf(upstream);
        Optional<BucketSnapshot> requests = admitted.after(LimitScope.UPSTREAM_KEY);
        Optional<BucketSnapshot> tokens = admitted.after(LimitScope.UPSTREAM_TOKENS);
        upstream.outlook().claimProbe();
        upstream.outlook().admitted(share(requests, limits.requests().isPresent()), share(tokens, limits.tokens().isPresent()));
        Optional<BucketCharge> tokenCharge = admitted.charges().stream()
                .filter(charge -> charge.scope() == LimitScope.UPSTREAM_TOKENS).map(ScopedCharge::charge).findFirst();
        return new Lease(upstream, tokenCharge, left(requests), left(tokens),
                Saturating.add(answeredNanos, admitted.admission().waitNanos()));
    }

    private static OptionalLong left(Optional<BucketSnapshot> bucket) {
        return bucket.isPresent() ? OptionalLong.of(bucket.get().availableTokens()) : OptionalLong.empty();
    }

    /**
     * Right before an attempt goes out: one that leaves more than {@link #LATE_SEND_SLACK_NANOS} after
     * its admission allowed (an instance still cold, a pause) would reach the upstream closer to the
     * ones admitted after it than their admissions allowed, in a clump its one-second bucket refuses.
     * So it takes a fresh place in its upstream's requests bucket, held up to
     * {@link #LATE_SEND_MAX_HOLD_NANOS} for it; the place it had stays used. Giving it back was measured
     * and is wrong: the upstream's bucket refilled while the attempt was late, but the late clump itself
     * takes that refill, so a place given back lets one more through at once (6–8 upstream 429s in the
     * scale-out scenario instead of 0). Without a requests limit, or refused even so, it goes as it is.
     */
    public Uni<Lease> onTime(Lease lease) {
        long lateNanos = limiter.nowNanos() - lease.sendAtNanos();
        UpstreamLimits limits = limitsOf(lease.upstream());
        if (lateNanos <= LATE_SEND_SLACK_NANOS || limits.requests().isEmpty()) {
            return Uni.createFrom().item(lease);
        }
        List<BucketCharge> charges = List.of(new BucketCharge(limits.requestsKey(), limits.requests().get(), 1));
        return decide(limiter.tryAcquire(charges, LATE_SEND_MAX_HOLD_NANOS)).flatMap(admission -> {
            if (!(admission instanceof Admission.Admitted admitted)) {
                return Uni.createFrom().item(lease);
            }
            Lease again = lease.sentAt(Saturating.add(limiter.nowNanos(), admitted.waitNanos()));
            return hold(admitted.waitNanos(), again);
        });
    }

    /**
     * The share of a bucket left after an admission: 1 when the upstream has no such bucket, negative
     * (unknown: the outlook keeps what it knew) when it has one this admission did not charge.
     */
    private static double share(Optional<BucketSnapshot> after, boolean exists) {
        if (after.isEmpty()) {
            return exists ? -1 : 1.0;
        }
        BucketSnapshot bucket = after.get();
        return bucket.capacity() <= 0 ? 0 : Math.max(0, (double) bucket.availableTokens() / bucket.capacity());
    }

    /** The item once {@code waitNanos} have passed, on a Vert.x timer (no thread is blocked); at once when 0. */
    private <T> Uni<T> hold(long waitNanos, T item) {
        if (waitNanos == 0) {
            return Uni.createFrom().item(item);
        }
        // Rounded up to whole milliseconds, Vert.x's timer unit: sending late is safe, early is not.
        long delayMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + TimeUnit.MILLISECONDS.toNanos(1) - 1));
        return Uni.createFrom().emitter(emitter -> {
            long timerId = vertx.setTimer(delayMillis, id -> emitter.complete(item));
            emitter.onTermination(() -> vertx.cancelTimer(timerId));
        });
    }
}
