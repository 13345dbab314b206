package dev.sluice.api;

import dev.sluice.admission.AdmissionPlan;
import dev.sluice.admission.Decision;
import dev.sluice.admission.Failover;
import dev.sluice.admission.HeldSlots;
import dev.sluice.admission.LateSend;
import dev.sluice.admission.Lease;
import dev.sluice.admission.OutlookNotes;
import dev.sluice.admission.RetryPromises;
import dev.sluice.admission.Settlements;
import dev.sluice.admission.Ticket;
import dev.sluice.admission.UpstreamLimits;
import dev.sluice.config.SluiceSettings;
import dev.sluice.limit.Admission;
import dev.sluice.limit.BucketAdjustment;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.ConcurrencyPolicy;
import dev.sluice.limit.CooldownPolicy;
import dev.sluice.limit.RateLimiter;
import dev.sluice.limit.Saturating;
import dev.sluice.metrics.SluiceMetrics;
import dev.sluice.tokens.TokenEstimate;
import dev.sluice.upstream.Randomness;
import dev.sluice.upstream.RetryAdvice;
import dev.sluice.upstream.Throttle;
import dev.sluice.upstream.Upstream;
import dev.sluice.upstream.UpstreamChoice;
import dev.sluice.usage.AttemptCost;
import dev.sluice.usage.TokenAccounting;
import io.opentelemetry.api.trace.Tracer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Admits a caller's request against every limit that applies, as its {@link AdmissionPlan} says, in
 * one all-or-nothing store call per candidate upstream ({@link Failover}, best first by
 * {@link UpstreamChoice}), or refuses it with a 429 naming the limit that refused. The store's answer
 * comes back on the request's event loop, and a request admitted for later is held on a Vert.x timer,
 * never by blocking a thread, and released when its tokens are due ({@link StoreCalls}); the store hands
 * out those moments in arrival order, so held requests leave first come, first served.
 *
 * <p>Limits that count tokens are charged up front ({@link Ticket}, {@link Lease}) and corrected by
 * {@link #settle} once the attempt's cost is known: a caller's quotas by what the request really used,
 * an upstream's bucket as that upstream counts ({@link TokenAccounting}): by default the provider's
 * own estimate when the request arrives, kept whatever the answer's length.
 */
@Singleton
public class AdmissionGate {

    /** How often a held slot's lease is renewed within one lease period: it must be at least once. */
    private static final int RENEWALS_PER_LEASE = 4;

    private final RateLimiter limiter;
    private final SluiceSettings settings;
    private final UsageCounters usage;
    private final SluiceMetrics metrics;
    private final StoreCalls store;
    /** The slots this instance's requests in flight hold. */
    private final HeldSlots slots = new HeldSlots();
    /** The waits told to refused requests, staggered per bucket. */
    private final RetryPromises promises = new RetryPromises();
    /** Each upstream's limits, by name. */
    private final Map<String, UpstreamLimits> limits;

    @Inject
    public AdmissionGate(RateLimiter limiter, SluiceSettings settings, UsageCounters usage, Vertx vertx, SluiceMetrics metrics,
            Tracer tracer) {
        this.limiter = limiter;
        this.store = new StoreCalls(limiter, vertx, metrics, tracer);
        this.metrics = metrics;
        this.settings = settings;
        this.usage = usage;
        Map<String, UpstreamLimits> byName = new HashMap<>();
        settings.upstreams().forEach(upstream -> byName.put(upstream.name(), new UpstreamLimits(upstream)));
        this.limits = Map.copyOf(byName);
        // any key may be given a concurrency limit at run time; with no slot held a tick does nothing
        vertx.setPeriodic(TimeUnit.NANOSECONDS.toMillis(ConcurrencyPolicy.LEASE_NANOS) / RENEWALS_PER_LEASE, id -> renewSlots());
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
        return admit(caller, clientAddress, estimate, model, Optional.empty(), candidates);
    }

    /** @param requestDigest the request hashed, for its caller's duplicate rate ({@link AdmissionPlan#of}) */
    public Uni<Ticket> admit(CallerIdentity caller, String clientAddress, TokenEstimate estimate, String model,
            Optional<String> requestDigest, List<Upstream> candidates) {
        long now = limiter.nowNanos();
        AdmissionPlan plan = AdmissionPlan.of(settings, caller.plan(), caller.id(), clientAddress, estimate, model, requestDigest, now);
        List<Upstream> order = UpstreamChoice.order(candidates, model, Set.of(), now, Randomness::nextDouble);
        return Failover.admit(order, upstream -> plan.firstAttemptOn(limitsOf(upstream)),
                charges -> store.decide(() -> limiter.tryAcquire(charges)), (upstream, refused) -> noteRefusal(upstream, refused, model))
                .flatMap(decision -> {
                    if (decision instanceof Decision.Refused<Upstream> refused) {
                        usage.refused(caller.id(), refused.by().scope().id());
                        metrics.refused(refused.by().scope(), caller.plan().name());
                        return Uni.createFrom().failure(refusal(refused, staggered(refused)));
                    }
                    Decision.Admitted<Upstream> admitted = (Decision.Admitted<Upstream>) decision;
                    usage.admitted(caller.id(), admitted.candidate().name());
                    metrics.held(admitted.admission().waitNanos());
                    Lease lease = lease(admitted);
                    Optional<HeldSlots.Slot> slot = plan.concurrencySlot().map(charge -> slots.hold(charge, limiter.nowNanos()));
                    Ticket ticket = new Ticket(admitted.admission().waitNanos(), caller.id(), plan, lease, candidates, slot);
                    // a caller gone while its request is held leaves no slot behind
                    return store.hold(admitted.admission().waitNanos(), ticket).onCancellation().invoke(() -> release(ticket));
                });
    }

    /**
     * Admits a retry of an admitted request on the best upstream for it: one it has not failed on
     * when one can take it now. The upstream counts every attempt, so each one takes a request from
     * that upstream's bucket (never from the caller's, who asked once), and its tokens as that
     * upstream counts them; once it is admitted, the attempt that failed is settled by what it cost,
     * unless the retry carries its reservation over ({@link AdmissionPlan#carriesOver}). Held up to
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
        return Failover.admit(order,
                upstream -> plan.retryOn(limitsOf(upstream), plan.carriesOver(upstream, limitsOf(upstream), previous, previousCost)),
                charges -> store.decide(() -> limiter.tryAcquire(charges, maxWaitNanos)), (upstream, refused) -> noteRefusal(upstream, refused, model))
                .flatMap(decision -> {
                    if (decision instanceof Decision.Refused<Upstream> refused) {
                        return Uni.createFrom().failure(refusal(refused));
                    }
                    Decision.Admitted<Upstream> admitted = (Decision.Admitted<Upstream>) decision;
                    Upstream upstream = admitted.candidate();
                    usage.retried(ticket.callerId(), upstream.name());
                    metrics.retried(previous.upstream().name(), upstream.name());
                    Lease lease = lease(admitted);
                    if (plan.carriesOver(upstream, limitsOf(upstream), previous, previousCost)) {
                        lease = lease.withTokensOf(previous);
                    } else {
                        settle(List.of(), previous, previousCost);
                    }
                    return store.hold(admitted.admission().waitNanos(), lease);
                });
    }

    /**
     * Admits a call Sluice makes on a request's behalf (a moderation check) on the upstreams' own limits
     * only: the caller asked once, and its limits count its request, not Sluice's checks of it. Held up to
     * {@code SLUICE_MAX_WAIT} like a retry; refused beyond it with the upstream's 429.
     *
     * @param estimate what the call may cost in tokens
     * @param model    the model it asks for: the upstreams' pauses are per model
     */
    public Uni<Lease> admitOnUpstream(CallerIdentity caller, TokenEstimate estimate, String model, List<Upstream> candidates) {
        long now = limiter.nowNanos();
        AdmissionPlan plan = AdmissionPlan.of(settings, caller.plan(), caller.id(), AdmissionPlan.NO_CLIENT_ADDRESS, estimate, model, now);
        List<Upstream> order = UpstreamChoice.order(candidates, model, Set.of(), now, Randomness::nextDouble);
        return Failover.admit(order, upstream -> plan.retryOn(limitsOf(upstream), false),
                charges -> store.decide(() -> limiter.tryAcquire(charges, settings.maxWait().toNanos())),
                (upstream, refused) -> noteRefusal(upstream, refused, model))
                .flatMap(decision -> {
                    if (decision instanceof Decision.Refused<Upstream> refused) {
                        return Uni.createFrom().failure(refusal(refused));
                    }
                    Decision.Admitted<Upstream> admitted = (Decision.Admitted<Upstream>) decision;
                    usage.retried(caller.id(), admitted.candidate().name()); // a request the upstream counts, not the caller
                    return store.hold(admitted.admission().waitNanos(), lease(admitted));
                });
    }

    /**
     * Gives the request's slot among its caller's requests in flight back, once whatever calls it
     * (the reply is over, the stream ended or broke off, the caller went away); sent without waiting.
     */
    public void release(Ticket ticket) {
        ticket.slot().flatMap(slots::release).ifPresent(adjustment -> store.settleWithoutWaiting(List.of(adjustment),
                "the end of a request in flight"));
    }

    /**
     * Keeps the slots of the requests still in flight counted into the new lease period; a few times a
     * period, so that none lapses while its request runs ({@link ConcurrencyPolicy}).
     */
    void renewSlots() {
        for (List<BucketAdjustment> batch : slots.renewals(limiter.nowNanos())) {
            store.settleWithoutWaiting(batch, "a renewal of requests in flight");
        }
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
     * An attempt's 429, by whom it concerns ({@link Throttle}): a key used up pauses the upstream for
     * {@code model}, for the whole fleet, as asked but never longer than {@code SLUICE_UPSTREAM_MAX_COOLDOWN}
     * (until then requests for it go to other upstreams, wait within the max wait or are refused with
     * the pause's end as their retry-after); a request too large, or larger than what is left, pauses
     * nobody. Either way the shared buckets take the reply's word on what is left. Sent without waiting.
     *
     * @param lease the attempt's: its upstream, and when it was sent (the pause's start, for {@link #learn})
     */
    public void throttled(Lease lease, String model, Throttle throttle, Map<String, List<String>> headers) {
        learn(lease, headers);
        if (!(throttle instanceof Throttle.Exhausted exhausted)) {
            return;
        }
        Upstream upstream = lease.upstream();
        long pauseMillis = exhausted.pauseMillis(settings.resilience().maxCooldown().toMillis());
        upstream.outlook().coolingUntil(model, lease.sendAtNanos(), limiter.nowNanos() + TimeUnit.MILLISECONDS.toNanos(pauseMillis));
        metrics.cooledDown(upstream.name());
        store.settleWithoutWaiting(List.of(new BucketAdjustment(limitsOf(upstream).cooldownKey(model), CooldownPolicy.INSTANCE,
                pauseMillis)), "a cooldown");
    }

    /**
     * An attempt's reply was served with capacity left on the key ({@link RetryAdvice#capacityLeft}):
     * a pause of {@code model} this instance knows of that began before the attempt was sent is over,
     * for the whole fleet. Replies to attempts sent before the pause lift nothing: they tell of the key
     * before the 429. Sent without waiting; costs a store call only when a pause is lifted.
     */
    public void resumeIfServed(Lease lease, String model, Map<String, List<String>> headers) {
        Upstream upstream = lease.upstream();
        // every 2xx passes here: the headers are read only when a pause is known (rarely)
        if (upstream.outlook().knowsPauseOf(model) && RetryAdvice.capacityLeft(headers)
                && upstream.outlook().resumedBy(model, lease.sendAtNanos(), limiter.nowNanos())) {
            store.settleWithoutWaiting(List.of(new BucketAdjustment(limitsOf(upstream).cooldownKey(model), CooldownPolicy.INSTANCE, -1)),
                    "the end of a cooldown");
        }
    }

    /**
     * Takes the upstream's word for what is left on its key: when its {@code x-ratelimit-remaining-*}
     * says fewer than Sluice's shared bucket holds (someone else uses the key too, or its real limit
     * is lower than configured), the bucket is lowered to match, for the whole fleet; and its
     * {@code x-ratelimit-limit-*} below the configured limit replaces it ({@link UpstreamLimits#learn}).
     * Costs a store round trip only when a bucket is lowered; sent without waiting.
     *
     * @param headers the reply's, names in lower case
     */
    public void learn(Lease lease, Map<String, List<String>> headers) {
        UpstreamLimits limits = limitsOf(lease.upstream());
        limits.learn(RetryAdvice.limit(headers, "requests"), RetryAdvice.limit(headers, "tokens"));
        Settlements.Caps caps = Settlements.caps(limits, new Settlements.Left(lease.requestsLeft(), lease.tokensLeft()),
                RetryAdvice.remaining(headers, "requests"), RetryAdvice.remaining(headers, "tokens"));
        if (!caps.adjustments().isEmpty()) {
            OutlookNotes.capped(lease.upstream().outlook(), caps);
            store.settleWithoutWaiting(caps.adjustments(), "the upstream's remaining limits");
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
            store.settleWithoutWaiting(corrections, "a settlement of token reservations");
        }
    }

    /** What this instance's outlook learns from a refusal by an upstream's own limit. */
    private void noteRefusal(Upstream upstream, Decision.Refused<Upstream> refused, String model) {
        OutlookNotes.refused(upstream.outlook(), refused, model, limiter.nowNanos());
    }

    private static RateLimitedException refusal(Decision.Refused<Upstream> refused) {
        return refusal(refused, refused.refusal());
    }

    private static RateLimitedException refusal(Decision.Refused<Upstream> refused, Admission.Refused told) {
        BucketCharge charge = refused.by().charge();
        return RateLimitedException.of(refused.by().scope(), charge.policy(), charge.tokens(), told);
    }

    /**
     * A token bucket's refusal with the wait this request is told ({@link RetryPromises}): after the
     * waits told to those refused before it, so that a refused burst comes back spread out. Other
     * limits (quotas, pauses, requests in flight, a request too large) keep their own answer.
     */
    private Admission.Refused staggered(Decision.Refused<Upstream> refused) {
        Admission.Refused refusal = refused.refusal();
        BucketCharge charge = refused.by().charge();
        if (!(charge.policy() instanceof BucketPolicy bucket) || refusal.neverAdmissible()) {
            return refusal;
        }
        long spacing = Saturating.multiply(bucket.emissionIntervalNanos(), charge.tokens());
        long told = promises.promise(charge.key(), refusal.retryAfterNanos(), spacing, limiter.nowNanos());
        return new Admission.Refused(refusal.chargeIndex(), told, refusal.bucket());
    }

    /** The attempt's lease, and what the upstream's outlook learns from the admission. */
    private Lease lease(Decision.Admitted<Upstream> admitted) {
        OutlookNotes.admitted(admitted.candidate().outlook(), admitted, limitsOf(admitted.candidate()));
        Lease lease = Lease.of(admitted, limiter.nowNanos());
        metrics.capacitySeen(lease.upstream().name(), lease.requestsLeft(), lease.tokensLeft());
        return lease;
    }

    /** Right before an attempt goes out: a late one takes a fresh place first ({@link LateSend}). */
    public Uni<Lease> onTime(Lease lease) {
        Optional<BucketCharge> freshPlace = LateSend.freshPlace(lease, limitsOf(lease.upstream()), limiter.nowNanos());
        if (freshPlace.isEmpty()) {
            return Uni.createFrom().item(lease);
        }
        return store.decide(() -> limiter.tryAcquire(List.of(freshPlace.get()), LateSend.MAX_HOLD_NANOS)).flatMap(admission -> {
            if (!(admission instanceof Admission.Admitted admitted)) {
                return Uni.createFrom().item(lease);
            }
            return store.hold(admitted.waitNanos(), lease.sentAt(Saturating.add(limiter.nowNanos(), admitted.waitNanos())));
        });
    }
}
