package dev.sluice.admission;

import dev.sluice.config.Plan;
import dev.sluice.config.SluiceSettings;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.CalendarQuota;
import dev.sluice.limit.CooldownPolicy;
import dev.sluice.tokens.TokenEstimate;
import dev.sluice.upstream.Upstream;
import dev.sluice.usage.AttemptCost;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one request is charged, planned once when it arrives: the caller's own limits, and on each
 * upstream it may try, that upstream's. The order is the order of refusals: the rate limits of the
 * caller and its address, then the upstream's pause, requests and tokens, then the caller's quotas
 * (of two refusals that never pass, the first is reported, and a quota is not spent on a request an
 * upstream refused).
 *
 * @param callerRates  the caller's requests bucket, its requests in flight, its address's bucket, and its tokens per minute
 * @param callerQuotas the caller's quotas in their current windows
 * @param estimate     what the request may cost in tokens; {@link TokenEstimate#NONE} when no limit counts tokens
 * @param model        the model asked for: an upstream's pauses are per model
 */
public record AdmissionPlan(List<ScopedCharge> callerRates, List<ScopedCharge> callerQuotas, TokenEstimate estimate,
        String model) {

    /** The client address of a request no per-IP limit counts (the limit is off, or Sluice makes the call itself). */
    public static final String NO_CLIENT_ADDRESS = "-";

    public AdmissionPlan {
        callerRates = List.copyOf(callerRates);
        callerQuotas = List.copyOf(callerQuotas);
    }

    /**
     * @param settings      for the per-IP limit
     * @param callerPlan    the caller's limits
     * @param clientAddress the address the per-IP limit counts; ignored when that limit is off
     * @param nowNanos      picks each quota's calendar window
     */
    public static AdmissionPlan of(SluiceSettings settings, Plan callerPlan, String callerId, String clientAddress,
            TokenEstimate estimate, String model, long nowNanos) {
        return of(settings, callerPlan, callerId, clientAddress, estimate, model, Optional.empty(), nowNanos);
    }

    /**
     * @param requestDigest the request's path and body hashed, for the plan's duplicate rate; empty when it is
     *                      not limited or the request is not one to count (a call on an object)
     */
    public static AdmissionPlan of(SluiceSettings settings, Plan callerPlan, String callerId, String clientAddress,
            TokenEstimate estimate, String model, Optional<String> requestDigest, long nowNanos) {
        List<ScopedCharge> rates = new ArrayList<>(5);
        rates.add(requestsOf(callerPlan, callerId));
        requestDigest.flatMap(digest -> callerPlan.guards().duplicates().map(policy -> new ScopedCharge(LimitScope.DUPLICATE,
                new BucketCharge(StoreKeys.duplicate(callerId, digest), policy, 1)))).ifPresent(rates::add);
        concurrencyOf(callerPlan, callerId).ifPresent(rates::add);
        settings.clientIp().ifPresent(limit -> rates.add(
                new ScopedCharge(LimitScope.CLIENT_IP, new BucketCharge(StoreKeys.clientIp(clientAddress), limit.requests(), 1))));
        if (estimate.reservedTokens() > 0) {
            tokensOf(callerPlan, callerId, estimate.reservedTokens()).ifPresent(rates::add);
        }
        List<ScopedCharge> quotas = new ArrayList<>(callerPlan.quotas().size());
        for (Plan.Quota quota : callerPlan.quotas()) {
            if (quota.countsTokens() && estimate.reservedTokens() == 0) {
                continue; // nothing counts this request's tokens
            }
            quotas.add(quotaOf(quota, callerId, nowNanos, quota.countsTokens() ? estimate.reservedTokens() : 1));
        }
        return new AdmissionPlan(rates, quotas, estimate, model);
    }

    /**
     * Every limit of the caller's own (not its address's), each as a charge of 1: what the caller's usage
     * view reads to say what is left in each.
     */
    public static List<ScopedCharge> callerLimits(Plan callerPlan, String callerId, long nowNanos) {
        List<ScopedCharge> limits = new ArrayList<>();
        limits.add(requestsOf(callerPlan, callerId));
        concurrencyOf(callerPlan, callerId).ifPresent(limits::add);
        tokensOf(callerPlan, callerId, 1).ifPresent(limits::add);
        for (Plan.Quota quota : callerPlan.quotas()) {
            limits.add(quotaOf(quota, callerId, nowNanos, 1));
        }
        return limits;
    }

    private static ScopedCharge requestsOf(Plan plan, String callerId) {
        return new ScopedCharge(LimitScope.CALLER, new BucketCharge(StoreKeys.caller(callerId), plan.requests(), 1));
    }

    private static Optional<ScopedCharge> concurrencyOf(Plan plan, String callerId) {
        return plan.concurrency().map(concurrency -> new ScopedCharge(LimitScope.CALLER_CONCURRENCY,
                new BucketCharge(StoreKeys.callerConcurrency(callerId), concurrency, 1)));
    }

    private static Optional<ScopedCharge> tokensOf(Plan plan, String callerId, long tokens) {
        return plan.tokens().map(policy -> new ScopedCharge(LimitScope.CALLER_TOKENS,
                new BucketCharge(StoreKeys.callerTokens(callerId), policy, tokens)));
    }

    /** A quota's charge in the calendar window {@code nowNanos} falls in. */
    private static ScopedCharge quotaOf(Plan.Quota quota, String callerId, long nowNanos, long amount) {
        CalendarQuota.Window window = quota.quota().windowAt(nowNanos);
        return new ScopedCharge(scopeOf(quota), new BucketCharge(
                StoreKeys.callerQuota(callerId, quota.countsTokens(), window.keySuffix()), window.policy(), amount));
    }

    /** The first attempt on an upstream: the caller's limits and the upstream's, in refusal order. */
    public List<ScopedCharge> firstAttemptOn(UpstreamLimits upstream) {
        List<ScopedCharge> charges = new ArrayList<>(callerRates.size() + 3 + callerQuotas.size());
        charges.addAll(callerRates);
        charges.addAll(upstreamCharges(upstream, tokensOn(upstream)));
        charges.addAll(callerQuotas);
        return charges;
    }

    /**
     * A retry on an upstream: that upstream's limits only (the caller asked once). Its tokens are left
     * out when the failed attempt's reservation is carried over to it instead.
     */
    public List<ScopedCharge> retryOn(UpstreamLimits upstream, boolean tokensCarriedOver) {
        return upstreamCharges(upstream, tokensCarriedOver ? 0 : tokensOn(upstream));
    }

    /**
     * Whether a retry on {@code candidate} carries the failed attempt's token reservation over instead of
     * taking the same tokens again, without taking them twice for a moment: on the same upstream, the
     * same amount, and an attempt that its accounting gives back whole.
     *
     * @param limits       the candidate's limits
     * @param previous     the lease of the attempt that failed
     * @param previousCost what that attempt cost
     */
    public boolean carriesOver(Upstream candidate, UpstreamLimits limits, Lease previous, AttemptCost previousCost) {
        return candidate == previous.upstream() && previous.tokenCharge().isPresent()
                && previous.tokenCharge().get().tokens() == tokensOn(limits)
                && limits.accounting().givesBackWhole(previousCost);
    }

    /** The slot the request takes among its caller's requests in flight; empty when the plan does not limit them. */
    public Optional<BucketCharge> concurrencySlot() {
        for (ScopedCharge charge : callerRates) {
            if (charge.scope() == LimitScope.CALLER_CONCURRENCY) {
                return Optional.of(charge.charge());
            }
        }
        return Optional.empty();
    }

    /** The caller's token quota charges, which settle by what the request really used. */
    public List<BucketCharge> callerTokenCharges() {
        List<BucketCharge> charges = new ArrayList<>(2);
        for (List<ScopedCharge> scoped : List.of(callerRates, callerQuotas)) {
            for (ScopedCharge charge : scoped) {
                if (charge.scope().countsTokens()) {
                    charges.add(charge.charge());
                }
            }
        }
        return charges;
    }

    /**
     * What a request is charged on an upstream's tokens bucket: the provider's estimate on arrival when
     * it counts requests that way, what it may really use when it counts usage.
     */
    public long tokensOn(UpstreamLimits upstream) {
        return switch (upstream.accounting()) {
            case REQUEST -> estimate.chargedOnArrival();
            case USAGE -> estimate.reservedTokens();
        };
    }

    /** An upstream's pause for the model, a request, and {@code tokens} when it counts tokens and they are positive. */
    private List<ScopedCharge> upstreamCharges(UpstreamLimits upstream, long tokens) {
        List<ScopedCharge> charges = new ArrayList<>(3);
        charges.add(new ScopedCharge(LimitScope.UPSTREAM_COOLDOWN,
                new BucketCharge(upstream.cooldownKey(model), CooldownPolicy.INSTANCE, 1)));
        upstream.requests().ifPresent(policy -> charges.add(
                new ScopedCharge(LimitScope.UPSTREAM_KEY, new BucketCharge(upstream.requestsKey(), policy, 1))));
        if (tokens > 0) {
            upstream.tokens().ifPresent(policy -> charges.add(
                    new ScopedCharge(LimitScope.UPSTREAM_TOKENS, new BucketCharge(upstream.tokensKey(), policy, tokens))));
        }
        return charges;
    }

    private static LimitScope scopeOf(Plan.Quota quota) {
        boolean daily = quota.quota().period() == CalendarQuota.Period.DAY;
        if (quota.countsTokens()) {
            return daily ? LimitScope.CALLER_DAILY_TOKENS : LimitScope.CALLER_MONTHLY_TOKENS;
        }
        return daily ? LimitScope.CALLER_DAILY_REQUESTS : LimitScope.CALLER_MONTHLY_REQUESTS;
    }
}
