package dev.sluice.api;

import dev.sluice.config.SluiceSettings;
import dev.sluice.limit.Admission;
import dev.sluice.limit.BucketAdjustment;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.CalendarQuota;
import dev.sluice.limit.CooldownPolicy;
import dev.sluice.limit.LimitPolicy;
import dev.sluice.limit.RateLimiter;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Admits a caller's request against every limit that applies (caller, client IP, upstream key
 * requests and tokens, the caller's daily and monthly quotas) in one all-or-nothing store call, or
 * refuses it with a 429 naming the limit that refused. A request admitted for later is held on a
 * Vert.x timer, never by blocking a thread, and released when its tokens are due; the store hands out
 * those moments in arrival order, so held requests leave first come, first served.
 *
 * <p>Limits that count tokens are charged the request's estimated cost up front ({@link Ticket}) and
 * corrected by {@link #settle} once the real usage is known.
 */
@ApplicationScoped
public class AdmissionGate {

    private static final Logger LOG = Logger.getLogger("dev.sluice.store");

    /** The one upstream key's buckets; named so that more upstreams can join later. */
    static final String UPSTREAM_REQUESTS_KEY = "upstream:default:requests";
    static final String UPSTREAM_TOKENS_KEY = "upstream:default:tokens";
    static final String UPSTREAM_COOLDOWN_PREFIX = "cooldown:upstream:default:model:";

    private final RateLimiter limiter;
    private final SluiceSettings settings;
    private final UsageCounters usage;
    private final Vertx vertx;
    /** The upstream key's limits in force: the configured ones, or lower ones the upstream reported. */
    private volatile Optional<BucketPolicy> upstreamRequests;
    private volatile Optional<BucketPolicy> upstreamTokens;

    @Inject
    public AdmissionGate(RateLimiter limiter, SluiceSettings settings, UsageCounters usage, Vertx vertx) {
        this.limiter = limiter;
        this.settings = settings;
        this.usage = usage;
        this.vertx = vertx;
        this.upstreamRequests = settings.upstreamRequests();
        this.upstreamTokens = settings.upstreamTokens();
    }

    /**
     * An admitted request: how long it was held, and what it reserved from limits that count tokens.
     *
     * @param waitedNanos  how long the request was held before it may be sent
     * @param callerId     whose request it is (for usage counters)
     * @param tokenCharges the reservations {@link #settle} corrects; empty when no limit counts tokens
     * @param upstreamRequestsAvailable what the upstream key's requests bucket held after the charge
     *                                  ({@link Long#MAX_VALUE} when there is no such bucket)
     * @param upstreamTokensAvailable   the same for its tokens bucket
     */
    public record Ticket(long waitedNanos, String callerId, List<BucketCharge> tokenCharges,
            long upstreamRequestsAvailable, long upstreamTokensAvailable) {

        public long reservedTokens() {
            return tokenCharges.isEmpty() ? 0 : tokenCharges.get(0).tokens();
        }
    }

    /**
     * @param clientAddress  the client's address for the per-IP limit; ignored when that is off
     * @param reservedTokens the request's estimated cost for limits that count tokens, 0 when none does
     * @param model          the requested model: the upstream's pauses are per model
     * @return completes with the ticket once the request may be sent; fails with
     *         {@link RateLimitedException} when a limit refuses it
     */
    public Uni<Ticket> admit(CallerIdentity caller, String clientAddress, long reservedTokens, String model) {
        List<BucketCharge> charges = new ArrayList<>(4);
        List<LimitScope> scopes = new ArrayList<>(4);
        charges.add(new BucketCharge("caller:" + caller.id(), settings.callerRequests(), 1));
        scopes.add(LimitScope.CALLER);
        charges.add(cooldown(model));
        scopes.add(LimitScope.UPSTREAM_COOLDOWN);
        settings.clientIp().ifPresent(limit -> {
            charges.add(new BucketCharge("ip:" + clientAddress, limit.requests(), 1));
            scopes.add(LimitScope.CLIENT_IP);
        });
        upstreamRequests().ifPresent(policy -> {
            charges.add(new BucketCharge(UPSTREAM_REQUESTS_KEY, policy, 1));
            scopes.add(LimitScope.UPSTREAM_KEY);
        });
        List<BucketCharge> tokenCharges = new ArrayList<>(3);
        if (reservedTokens > 0) {
            upstreamTokens().ifPresent(policy -> {
                BucketCharge charge = new BucketCharge(UPSTREAM_TOKENS_KEY, policy, reservedTokens);
                charges.add(charge);
                tokenCharges.add(charge);
                scopes.add(LimitScope.UPSTREAM_TOKENS);
            });
        }
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
        CompletableFuture<Admission> decision = limiter.tryAcquire(charges).toCompletableFuture();
        if (decision.isDone() && !decision.isCompletedExceptionally()) {
            // The in-memory store decides at once: no need for another asynchronous step.
            return admitOrRefuse(decision.join(), caller.id(), charges, scopes, tokenCharges);
        }
        Uni<Admission> answered = Uni.createFrom().completionStage(decision);
        Context context = vertx.getOrCreateContext();
        if (context.isEventLoopContext()) {
            // A shared store answers on one of its own threads: back to the request's event loop
            // before the upstream call and the reply, which Vert.x would otherwise hop to anyway.
            answered = answered.emitOn(task -> context.runOnContext(ignored -> task.run()));
        }
        return answered.flatMap(admission -> admitOrRefuse(admission, caller.id(), charges, scopes, tokenCharges));
    }

    /**
     * Admits a retry of an admitted request: the upstream counts every attempt, so each one takes a
     * request from the upstream key's bucket (never from the caller's, who asked once). Held up to
     * {@code maxWaitNanos}; refused beyond it, which ends the retries.
     */
    public Uni<Void> admitRetry(String model, long maxWaitNanos) {
        List<BucketCharge> charges = new ArrayList<>(2);
        List<LimitScope> scopes = new ArrayList<>(2);
        charges.add(cooldown(model));
        scopes.add(LimitScope.UPSTREAM_COOLDOWN);
        upstreamRequests().ifPresent(policy -> {
            charges.add(new BucketCharge(UPSTREAM_REQUESTS_KEY, policy, 1));
            scopes.add(LimitScope.UPSTREAM_KEY);
        });
        return Uni.createFrom().completionStage(() -> limiter.tryAcquire(charges, maxWaitNanos))
                .flatMap(admission -> {
                    if (admission instanceof Admission.Refused refused) {
                        return Uni.createFrom().failure(RateLimitedException.of(scopes.get(refused.chargeIndex()),
                                charges.get(refused.chargeIndex()).policy(), 1, refused));
                    }
                    long waitNanos = ((Admission.Admitted) admission).waitNanos();
                    return waitNanos == 0 ? Uni.createFrom().voidItem() : this.<Void>hold(waitNanos, null);
                });
    }

    /**
     * Pauses the upstream for {@code model} for the whole fleet, as a 429 asked: until then requests
     * for it wait (within the max wait) or are refused with the pause's end as their retry-after, and
     * no instance calls the upstream before it. Sent without waiting for the store.
     */
    public void coolDown(String model, long pauseMillis) {
        if (pauseMillis <= 0) {
            return;
        }
        BucketCharge key = cooldown(model);
        settleWithoutWaiting(List.of(new BucketAdjustment(key.key(), key.policy(), pauseMillis)), "a cooldown");
    }

    /** The upstream's pause for a model; a model name too long for a key is hashed. */
    private static BucketCharge cooldown(String model) {
        String name = model.length() <= 128 ? model : CallerIdentity.sha256Hex(model);
        return new BucketCharge(UPSTREAM_COOLDOWN_PREFIX + name, CooldownPolicy.INSTANCE, 1);
    }

    /**
     * Takes the upstream's word for what is left on its key: when its {@code x-ratelimit-remaining-*}
     * says fewer than Sluice's shared bucket holds (someone else uses the key too, or its real limit
     * is lower than configured), the bucket is lowered to match, for the whole fleet. Costs a store
     * round trip only then; sent without waiting.
     *
     * @param remainingRequests the upstream's remaining requests, negative when it did not say
     * @param remainingTokens   the upstream's remaining tokens, negative when it did not say
     */
    public void learn(Ticket ticket, long remainingRequests, long remainingTokens) {
        learn(ticket, remainingRequests, remainingTokens, -1, -1);
    }

    /**
     * The same, and the upstream's {@code x-ratelimit-limit-*}: a limit below the configured one
     * replaces it (the bucket's rate and size scaled down alike) until the upstream reports otherwise.
     *
     * @param limitRequests the upstream's requests per minute, negative when it did not say
     * @param limitTokens   the upstream's tokens per minute, negative when it did not say
     */
    public void learn(Ticket ticket, long remainingRequests, long remainingTokens, long limitRequests, long limitTokens) {
        upstreamRequests = inForce(settings.upstreamRequests(), upstreamRequests, limitRequests);
        upstreamTokens = inForce(settings.upstreamTokens(), upstreamTokens, limitTokens);
        List<BucketAdjustment> caps = new ArrayList<>(2);
        upstreamRequests().ifPresent(policy -> {
            if (remainingRequests >= 0 && remainingRequests < ticket.upstreamRequestsAvailable()) {
                caps.add(BucketAdjustment.capAt(UPSTREAM_REQUESTS_KEY, policy, remainingRequests));
            }
        });
        upstreamTokens().ifPresent(policy -> {
            if (remainingTokens >= 0 && remainingTokens < ticket.upstreamTokensAvailable()) {
                caps.add(BucketAdjustment.capAt(UPSTREAM_TOKENS_KEY, policy, remainingTokens));
            }
        });
        if (!caps.isEmpty()) {
            settleWithoutWaiting(caps, "the upstream's remaining limits");
        }
    }

    /**
     * Corrects a ticket's token reservations. Sent after the reply and never awaited: a lost
     * settlement leaves a reservation as it was, which errs on the side of the upstream's limits.
     *
     * @param usedTokens the request's real prompt + completion tokens; negative when unknown (a stream
     *                   cut short), which keeps the reservations as they are
     * @param refundAll  the upstream refused the call, so it cost nothing
     */
    public void settle(Ticket ticket, long usedTokens, boolean refundAll) {
        if (ticket.tokenCharges().isEmpty() || (!refundAll && usedTokens < 0)) {
            return;
        }
        List<BucketAdjustment> adjustments = new ArrayList<>(ticket.tokenCharges().size());
        for (BucketCharge charge : ticket.tokenCharges()) {
            long delta = refundAll ? -charge.tokens() : usedTokens - charge.tokens();
            if (delta != 0) {
                adjustments.add(new BucketAdjustment(charge.key(), charge.policy(), delta));
            }
        }
        settleWithoutWaiting(adjustments, "a settlement of token reservations");
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

    private Optional<BucketPolicy> upstreamRequests() {
        return upstreamRequests;
    }

    private Optional<BucketPolicy> upstreamTokens() {
        return upstreamTokens;
    }

    /**
     * The bucket to use after the upstream reported {@code reportedPerMinute}: the configured one
     * scaled down (rate and size alike) when the report is lower, the configured one when it is not,
     * and the current one when there was no report. Unchanged policies are kept, not rebuilt.
     */
    private static Optional<BucketPolicy> inForce(Optional<BucketPolicy> configured, Optional<BucketPolicy> current,
            long reportedPerMinute) {
        if (configured.isEmpty() || reportedPerMinute <= 0) {
            return current;
        }
        double configuredPerMinute = perMinute(configured.get());
        if (reportedPerMinute >= configuredPerMinute) {
            return configured;
        }
        if (current.isPresent() && Math.round(perMinute(current.get())) == reportedPerMinute) {
            return current;
        }
        return Optional.of(configured.get().scaledTo(reportedPerMinute / configuredPerMinute));
    }

    private static double perMinute(BucketPolicy policy) {
        return (double) policy.refillRate().tokens() * TimeUnit.MINUTES.toNanos(1) / policy.refillRate().periodNanos();
    }

    private static LimitScope scopeOf(SluiceSettings.CallerQuota quota) {
        boolean daily = quota.quota().period() == CalendarQuota.Period.DAY;
        if (quota.countsTokens()) {
            return daily ? LimitScope.CALLER_DAILY_TOKENS : LimitScope.CALLER_MONTHLY_TOKENS;
        }
        return daily ? LimitScope.CALLER_DAILY_REQUESTS : LimitScope.CALLER_MONTHLY_REQUESTS;
    }

    private Uni<Ticket> admitOrRefuse(Admission admission, String callerId, List<BucketCharge> charges,
            List<LimitScope> scopes, List<BucketCharge> tokenCharges) {
        if (admission instanceof Admission.Refused refused) {
            usage.refused(callerId);
            BucketCharge charge = charges.get(refused.chargeIndex());
            LimitPolicy policy = charge.policy();
            return Uni.createFrom().failure(
                    RateLimitedException.of(scopes.get(refused.chargeIndex()), policy, charge.tokens(), refused));
        }
        usage.admitted(callerId);
        Admission.Admitted admitted = (Admission.Admitted) admission;
        long waitNanos = admitted.waitNanos();
        Ticket ticket = new Ticket(waitNanos, callerId, List.copyOf(tokenCharges),
                availableAfter(admitted, scopes, LimitScope.UPSTREAM_KEY),
                availableAfter(admitted, scopes, LimitScope.UPSTREAM_TOKENS));
        return waitNanos == 0 ? Uni.createFrom().item(ticket) : hold(waitNanos, ticket);
    }

    private static long availableAfter(Admission.Admitted admitted, List<LimitScope> scopes, LimitScope scope) {
        int index = scopes.indexOf(scope);
        return index < 0 ? Long.MAX_VALUE : admitted.buckets().get(index).availableTokens();
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
