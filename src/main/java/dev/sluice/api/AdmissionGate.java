package dev.sluice.api;

import dev.sluice.config.SluiceSettings;
import dev.sluice.limit.Admission;
import dev.sluice.limit.BucketAdjustment;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.BucketSnapshot;
import dev.sluice.limit.CalendarQuota;
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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Admits a caller's request against every limit that applies (caller, client IP, the caller's daily
 * and monthly quotas, and one upstream's requests, tokens and pause for the model) in one
 * all-or-nothing store call, or refuses it with a 429 naming the limit that refused. The upstream is
 * the best of the request's candidates ({@link UpstreamChoice}); when its limits refuse, the next one
 * is tried, and when every candidate refuses, the caller is told the earliest moment any of them has
 * capacity. A request admitted for later is held on a Vert.x timer, never by blocking a thread, and
 * released when its tokens are due; the store hands out those moments in arrival order, so held
 * requests leave first come, first served.
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
     * What one attempt holds on its upstream.
     *
     * @param upstream          where the attempt goes
     * @param tokenCharge       its reservation on the upstream's tokens bucket; {@code null} when none
     * @param requestsAvailable what the upstream's requests bucket held after the charge
     *                          ({@link Long#MAX_VALUE} when it has none)
     * @param tokensAvailable   the same for its tokens bucket
     * @param sendAtNanos       the moment the admission let the attempt go, by this instance's clock:
     *                          when the store's answer arrived plus the wait it granted
     */
    public record Lease(Upstream upstream, BucketCharge tokenCharge, long requestsAvailable, long tokensAvailable,
            long sendAtNanos) {
    }

    /**
     * How much later than its admission allowed an attempt may leave before it is admitted again: half
     * the margin the default upstream burst keeps (90 % of a second's worth, so 100 ms of refill).
     */
    static final long LATE_SEND_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(75);
    /** How long a late attempt may be held for a fresh place in its upstream's requests bucket. */
    static final long LATE_SEND_MAX_HOLD_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * An admitted request: how long it was held, what it reserved from the caller's limits that count
     * tokens, and its first attempt's {@link Lease}.
     *
     * @param waitedNanos        how long the request was held before it may be sent
     * @param callerId           whose request it is (for usage counters)
     * @param callerTokenCharges the caller's token quota reservations {@link #settle} corrects
     * @param estimate           what the request may cost in tokens; {@link TokenEstimate#NONE} when no
     *                           limit counts tokens
     * @param lease              the first attempt's upstream and its charges there
     * @param candidates         the upstreams that may serve the request, for its retries
     */
    public record Ticket(long waitedNanos, String callerId, List<BucketCharge> callerTokenCharges, TokenEstimate estimate,
            Lease lease, List<Upstream> candidates) {
    }

    /**
     * The charges a request makes besides an upstream's: the caller's, its address's, its quotas.
     *
     * @param upstreamIndex where the upstream's charges go: after the rate limits, before the quotas
     *                      (of two refusals that never pass, the first is reported)
     */
    private record CallerCharges(List<BucketCharge> charges, List<LimitScope> scopes, List<BucketCharge> tokenCharges,
            int upstreamIndex) {
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
        CallerCharges callerCharges = callerCharges(caller, clientAddress, estimate.reservedTokens());
        List<Upstream> order = UpstreamChoice.order(candidates, model, Set.of(), limiter.nowNanos(),
                Randomness::nextDouble);
        return admitOn(order, 0, caller.id(), callerCharges, estimate, model, candidates, new ArrayList<>(1));
    }

    private Uni<Ticket> admitOn(List<Upstream> order, int index, String callerId, CallerCharges callerCharges,
            TokenEstimate estimate, String model, List<Upstream> candidates, List<RateLimitedException> refusals) {
        Upstream upstream = order.get(index);
        List<BucketCharge> charges = new ArrayList<>(callerCharges.charges().size() + 3);
        List<LimitScope> scopes = new ArrayList<>(callerCharges.charges().size() + 3);
        charges.addAll(callerCharges.charges().subList(0, callerCharges.upstreamIndex()));
        scopes.addAll(callerCharges.scopes().subList(0, callerCharges.upstreamIndex()));
        BucketCharge tokenCharge = addUpstreamCharges(upstream, model, upstreamTokens(upstream, estimate), charges, scopes);
        charges.addAll(callerCharges.charges().subList(callerCharges.upstreamIndex(), callerCharges.charges().size()));
        scopes.addAll(callerCharges.scopes().subList(callerCharges.upstreamIndex(), callerCharges.scopes().size()));
        return decide(charges, -1).flatMap(admission -> {
            if (admission instanceof Admission.Refused refused) {
                LimitScope scope = scopes.get(refused.chargeIndex());
                RateLimitedException refusal = refusal(scope, charges.get(refused.chargeIndex()), refused);
                if (scope.upstream()) {
                    noteRefusal(upstream, scope, model, refused);
                    refusals.add(refusal);
                    if (index + 1 < order.size()) {
                        return admitOn(order, index + 1, callerId, callerCharges, estimate, model, candidates, refusals);
                    }
                    refusal = earliest(refusals);
                }
                usage.refused(callerId);
                return Uni.createFrom().failure(refusal);
            }
            Admission.Admitted admitted = (Admission.Admitted) admission;
            usage.admitted(callerId, upstream.name());
            Lease lease = lease(upstream, tokenCharge, admitted, scopes, limiter.nowNanos());
            Ticket ticket = new Ticket(admitted.waitNanos(), callerId, List.copyOf(callerCharges.tokenCharges()),
                    estimate, lease, candidates);
            return admitted.waitNanos() == 0 ? Uni.createFrom().item(ticket) : hold(admitted.waitNanos(), ticket);
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
        List<Upstream> order = UpstreamChoice.order(ticket.candidates(), model, failed, limiter.nowNanos(),
                Randomness::nextDouble);
        return retryOn(order, 0, ticket, previous, previousCost, model, maxWaitNanos, new ArrayList<>(1));
    }

    private Uni<Lease> retryOn(List<Upstream> order, int index, Ticket ticket, Lease previous, AttemptCost previousCost,
            String model, long maxWaitNanos, List<RateLimitedException> refusals) {
        Upstream upstream = order.get(index);
        long tokens = upstreamTokens(upstream, ticket.estimate());
        BucketCharge previousCharge = previous.tokenCharge();
        boolean carried = upstream == previous.upstream() && previousCharge != null && previousCharge.tokens() == tokens
                && limitsOf(upstream).accounting().givesBackWhole(previousCost);
        List<BucketCharge> charges = new ArrayList<>(3);
        List<LimitScope> scopes = new ArrayList<>(3);
        BucketCharge tokenCharge = addUpstreamCharges(upstream, model, carried ? 0 : tokens, charges, scopes);
        return decide(charges, maxWaitNanos).flatMap(admission -> {
            if (admission instanceof Admission.Refused refused) {
                LimitScope scope = scopes.get(refused.chargeIndex());
                noteRefusal(upstream, scope, model, refused);
                refusals.add(refusal(scope, charges.get(refused.chargeIndex()), refused));
                if (index + 1 < order.size()) {
                    return retryOn(order, index + 1, ticket, previous, previousCost, model, maxWaitNanos, refusals);
                }
                return Uni.createFrom().failure(earliest(refusals));
            }
            Admission.Admitted admitted = (Admission.Admitted) admission;
            usage.retried(upstream.name());
            Lease lease;
            if (carried) {
                Lease renewed = lease(upstream, null, admitted, scopes, limiter.nowNanos());
                lease = new Lease(upstream, previousCharge, renewed.requestsAvailable(), previous.tokensAvailable(),
                        renewed.sendAtNanos());
            } else {
                settle(List.of(), previous, previousCost);
                lease = lease(upstream, tokenCharge, admitted, scopes, limiter.nowNanos());
            }
            return admitted.waitNanos() == 0 ? Uni.createFrom().item(lease) : hold(admitted.waitNanos(), lease);
        });
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
        BucketCharge key = cooldown(limitsOf(upstream), model);
        settleWithoutWaiting(List.of(new BucketAdjustment(key.key(), key.policy(), pauseMillis)), "a cooldown");
    }

    /**
     * Takes the upstream's word for what is left on its key: when its {@code x-ratelimit-remaining-*}
     * says fewer than Sluice's shared bucket holds (someone else uses the key too, or its real limit
     * is lower than configured), the bucket is lowered to match, for the whole fleet; and its
     * {@code x-ratelimit-limit-*} below the configured limit replaces it ({@link UpstreamLimits#learn}).
     * Costs a store round trip only when a bucket is lowered; sent without waiting.
     *
     * @param remainingRequests the upstream's remaining requests, negative when it did not say
     * @param remainingTokens   the upstream's remaining tokens, negative when it did not say
     * @param limitRequests     its requests per minute, negative when it did not say
     * @param limitTokens       its tokens per minute, negative when it did not say
     */
    public void learn(Lease lease, long remainingRequests, long remainingTokens, long limitRequests, long limitTokens) {
        UpstreamLimits limits = limitsOf(lease.upstream());
        limits.learn(limitRequests, limitTokens);
        List<BucketAdjustment> caps = new ArrayList<>(2);
        double requestsLeft = -1;
        double tokensLeft = -1;
        if (limits.requests().isPresent() && remainingRequests >= 0 && remainingRequests < lease.requestsAvailable()) {
            BucketPolicy policy = limits.requests().get();
            caps.add(BucketAdjustment.capAt(limits.requestsKey(), policy, remainingRequests));
            requestsLeft = Math.min(1.0, (double) remainingRequests / policy.capacity());
        }
        if (limits.tokens().isPresent() && remainingTokens >= 0 && remainingTokens < lease.tokensAvailable()) {
            BucketPolicy policy = limits.tokens().get();
            caps.add(BucketAdjustment.capAt(limits.tokensKey(), policy, remainingTokens));
            tokensLeft = Math.min(1.0, (double) remainingTokens / policy.capacity());
        }
        if (!caps.isEmpty()) {
            lease.upstream().outlook().admitted(requestsLeft, tokensLeft);
            settleWithoutWaiting(caps, "the upstream's remaining limits");
        }
    }

    /**
     * Corrects a request's token reservations by what its last attempt cost: the caller's quotas
     * (from the ticket) by what it really used, the last attempt's upstream (from its lease) as that
     * upstream counts. Sent after the reply and never awaited: a lost settlement leaves a reservation
     * as it was, which errs on the side of the limits.
     */
    public void settle(Ticket ticket, Lease lease, AttemptCost cost) {
        settle(ticket.callerTokenCharges(), lease, cost);
    }

    private void settle(List<BucketCharge> callerTokenCharges, Lease lease, AttemptCost cost) {
        List<BucketAdjustment> adjustments = new ArrayList<>(callerTokenCharges.size() + 1);
        for (BucketCharge charge : callerTokenCharges) {
            adjust(adjustments, charge, TokenAccounting.USAGE.correction(cost, charge.tokens()));
        }
        if (lease.tokenCharge() != null) {
            BucketCharge charge = lease.tokenCharge();
            adjust(adjustments, charge, limitsOf(lease.upstream()).accounting().correction(cost, charge.tokens()));
        }
        if (!adjustments.isEmpty()) {
            settleWithoutWaiting(adjustments, "a settlement of token reservations");
        }
    }

    private static void adjust(List<BucketAdjustment> adjustments, BucketCharge charge, long delta) {
        if (delta != 0) {
            adjustments.add(new BucketAdjustment(charge.key(), charge.policy(), delta));
        }
    }

    /**
     * What a request is charged on an upstream's tokens bucket: the provider's estimate on arrival
     * when it counts requests that way, the request's possible use when it counts usage.
     */
    private long upstreamTokens(Upstream upstream, TokenEstimate estimate) {
        return switch (limitsOf(upstream).accounting()) {
            case REQUEST -> estimate.chargedOnArrival();
            case USAGE -> estimate.reservedTokens();
        };
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

    private CallerCharges callerCharges(CallerIdentity caller, String clientAddress, long reservedTokens) {
        List<BucketCharge> charges = new ArrayList<>(6);
        List<LimitScope> scopes = new ArrayList<>(6);
        List<BucketCharge> tokenCharges = new ArrayList<>(2);
        charges.add(new BucketCharge("caller:" + caller.id(), settings.callerRequests(), 1));
        scopes.add(LimitScope.CALLER);
        settings.clientIp().ifPresent(limit -> {
            charges.add(new BucketCharge("ip:" + clientAddress, limit.requests(), 1));
            scopes.add(LimitScope.CLIENT_IP);
        });
        int upstreamIndex = charges.size();
        if (!settings.callerQuotas().isEmpty()) {
            long now = limiter.nowNanos();
            for (SluiceSettings.CallerQuota quota : settings.callerQuotas()) {
                if (quota.countsTokens() && reservedTokens == 0) {
                    continue;
                }
                CalendarQuota.Window window = quota.quota().windowAt(now);
                String key = "quota:caller:" + caller.id() + ":" + (quota.countsTokens() ? "tokens:" : "requests:")
                        + window.keySuffix();
                BucketCharge charge = new BucketCharge(key, window.policy(), quota.countsTokens() ? reservedTokens : 1);
                charges.add(charge);
                scopes.add(scopeOf(quota));
                if (quota.countsTokens()) {
                    tokenCharges.add(charge);
                }
            }
        }
        return new CallerCharges(charges, scopes, tokenCharges, upstreamIndex);
    }

    /**
     * Adds an upstream's charges: its pause for the model, a request, and the tokens when
     * {@code tokens} is positive and it counts tokens.
     *
     * @return the tokens charge, {@code null} when none was added
     */
    private BucketCharge addUpstreamCharges(Upstream upstream, String model, long tokens,
            List<BucketCharge> charges, List<LimitScope> scopes) {
        UpstreamLimits limits = limitsOf(upstream);
        charges.add(cooldown(limits, model));
        scopes.add(LimitScope.UPSTREAM_COOLDOWN);
        limits.requests().ifPresent(policy -> {
            charges.add(new BucketCharge(limits.requestsKey(), policy, 1));
            scopes.add(LimitScope.UPSTREAM_KEY);
        });
        if (tokens > 0 && limits.tokens().isPresent()) {
            BucketCharge charge = new BucketCharge(limits.tokensKey(), limits.tokens().get(), tokens);
            charges.add(charge);
            scopes.add(LimitScope.UPSTREAM_TOKENS);
            return charge;
        }
        return null;
    }

    /** An upstream's pause for a model; a model name too long for a key is hashed. */
    private static BucketCharge cooldown(UpstreamLimits limits, String model) {
        String name = model.length() <= 128 ? model : CallerIdentity.sha256Hex(model);
        return new BucketCharge(limits.cooldownKey(name), CooldownPolicy.INSTANCE, 1);
    }

    /**
     * The store's decision. The in-memory store decides at once; a shared store answers on one of its
     * own threads, and the request continues on its event loop, which Vert.x would hop to anyway.
     *
     * @param maxWaitNanos how long the request may be held; negative for the configured max wait
     */
    private Uni<Admission> decide(List<BucketCharge> charges, long maxWaitNanos) {
        CompletableFuture<Admission> decision = (maxWaitNanos < 0 ? limiter.tryAcquire(charges)
                : limiter.tryAcquire(charges, maxWaitNanos)).toCompletableFuture();
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
    private void noteRefusal(Upstream upstream, LimitScope scope, String model, Admission.Refused refused) {
        if (refused.neverAdmissible()) {
            return;
        }
        long until = Saturating.add(limiter.nowNanos(), refused.retryAfterNanos());
        if (scope == LimitScope.UPSTREAM_COOLDOWN) {
            upstream.outlook().coolingUntil(model, until);
        } else if (scope.upstream()) {
            upstream.outlook().refusedUntil(until);
        }
    }

    private static RateLimitedException refusal(LimitScope scope, BucketCharge charge, Admission.Refused refused) {
        return RateLimitedException.of(scope, charge.policy(), charge.tokens(), refused);
    }

    /** Of several upstreams' refusals, the one whose capacity comes back first (one that never will, last). */
    private static RateLimitedException earliest(List<RateLimitedException> refusals) {
        RateLimitedException earliest = refusals.get(0);
        for (RateLimitedException refusal : refusals) {
            if (refusal.retryAfterNanos() < earliest.retryAfterNanos()) {
                earliest = refusal;
            }
        }
        return earliest;
    }

    private Lease lease(Upstream upstream, BucketCharge tokenCharge, Admission.Admitted admitted,
            List<LimitScope> scopes, long answeredNanos) {
        long requestsAvailable = availableAfter(admitted, scopes, LimitScope.UPSTREAM_KEY);
        long tokensAvailable = availableAfter(admitted, scopes, LimitScope.UPSTREAM_TOKENS);
        UpstreamLimits limits = limitsOf(upstream);
        upstream.outlook().claimProbe();
        upstream.outlook().admitted(share(admitted, scopes, LimitScope.UPSTREAM_KEY, limits.requests().isPresent()),
                share(admitted, scopes, LimitScope.UPSTREAM_TOKENS, limits.tokens().isPresent()));
        return new Lease(upstream, tokenCharge, requestsAvailable, tokensAvailable,
                Saturating.add(answeredNanos, admitted.waitNanos()));
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
        return decide(charges, LATE_SEND_MAX_HOLD_NANOS).flatMap(admission -> {
            if (!(admission instanceof Admission.Admitted admitted)) {
                return Uni.createFrom().item(lease);
            }
            Lease again = new Lease(lease.upstream(), lease.tokenCharge(), lease.requestsAvailable(), lease.tokensAvailable(),
                    Saturating.add(limiter.nowNanos(), admitted.waitNanos()));
            return admitted.waitNanos() == 0 ? Uni.createFrom().item(again) : hold(admitted.waitNanos(), again);
        });
    }

    private static long availableAfter(Admission.Admitted admitted, List<LimitScope> scopes, LimitScope scope) {
        int index = scopes.indexOf(scope);
        return index < 0 ? Long.MAX_VALUE : admitted.buckets().get(index).availableTokens();
    }

    /**
     * The share of a bucket left after an admission: 1 when the upstream has no such bucket, negative
     * (unknown: the outlook keeps what it knew) when it has one this admission did not charge.
     */
    private static double share(Admission.Admitted admitted, List<LimitScope> scopes, LimitScope scope, boolean exists) {
        int index = scopes.indexOf(scope);
        if (index < 0) {
            return exists ? -1 : 1.0;
        }
        BucketSnapshot bucket = admitted.buckets().get(index);
        return bucket.capacity() <= 0 ? 0 : Math.max(0, (double) bucket.availableTokens() / bucket.capacity());
    }

    private static LimitScope scopeOf(SluiceSettings.CallerQuota quota) {
        boolean daily = quota.quota().period() == CalendarQuota.Period.DAY;
        if (quota.countsTokens()) {
            return daily ? LimitScope.CALLER_DAILY_TOKENS : LimitScope.CALLER_MONTHLY_TOKENS;
        }
        return daily ? LimitScope.CALLER_DAILY_REQUESTS : LimitScope.CALLER_MONTHLY_REQUESTS;
    }

    private <T> Uni<T> hold(long waitNanos, T item) {
        // Rounded up to whole milliseconds, Vert.x's timer unit: sending late is safe, early is not.
        long delayMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + TimeUnit.MILLISECONDS.toNanos(1) - 1));
        return Uni.createFrom().emitter(emitter -> {
            long timerId = vertx.setTimer(delayMillis, id -> emitter.complete(item));
            emitter.onTermination(() -> vertx.cancelTimer(timerId));
        });
    }
}
