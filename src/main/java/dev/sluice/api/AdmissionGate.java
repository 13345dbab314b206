package dev.sluice.api;

import dev.sluice.config.SluiceSettings;
import dev.sluice.limit.Admission;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.RateLimiter;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Admits a caller's request against every limit that applies, or refuses it with a 429. A request
 * admitted for later is held on a Vert.x timer, never by blocking a thread, and released when its
 * tokens are due; the store hands out those moments in arrival order, so held requests leave first
 * come, first served.
 */
@ApplicationScoped
public class AdmissionGate {

    /** The one upstream key's requests bucket; named so that more upstreams can join later. */
    static final String UPSTREAM_REQUESTS_KEY = "upstream:default:requests";

    private final RateLimiter limiter;
    private final SluiceSettings settings;
    private final Vertx vertx;

    @Inject
    public AdmissionGate(RateLimiter limiter, SluiceSettings settings, Vertx vertx) {
        this.limiter = limiter;
        this.settings = settings;
        this.vertx = vertx;
    }

    /**
     * @return completes with the nanoseconds the request was held, once it may be sent; fails with
     *         {@link RateLimitedException} when a limit refuses it
     */
    public Uni<Long> admit(CallerIdentity caller) {
        List<BucketCharge> charges = new ArrayList<>(2);
        List<LimitScope> scopes = new ArrayList<>(2);
        charges.add(new BucketCharge("caller:" + caller.id(), settings.callerRequests(), 1));
        scopes.add(LimitScope.CALLER);
        settings.upstreamRequests().ifPresent(policy -> {
            charges.add(new BucketCharge(UPSTREAM_REQUESTS_KEY, policy, 1));
            scopes.add(LimitScope.UPSTREAM_KEY);
        });
        CompletableFuture<Admission> decision = limiter.tryAcquire(charges).toCompletableFuture();
        if (decision.isDone() && !decision.isCompletedExceptionally()) {
            // The in-memory store decides at once: no need for another asynchronous step.
            return admitOrRefuse(decision.join(), charges, scopes);
        }
        return Uni.createFrom().completionStage(decision).flatMap(admission -> admitOrRefuse(admission, charges, scopes));
    }

    private Uni<Long> admitOrRefuse(Admission admission, List<BucketCharge> charges, List<LimitScope> scopes) {
        if (admission instanceof Admission.Refused refused) {
            BucketPolicy policy = charges.get(refused.chargeIndex()).policy();
            return Uni.createFrom().failure(RateLimitedException.of(scopes.get(refused.chargeIndex()), policy, refused));
        }
        long waitNanos = ((Admission.Admitted) admission).waitNanos();
        return waitNanos == 0 ? Uni.createFrom().item(0L) : hold(waitNanos);
    }

    private Uni<Long> hold(long waitNanos) {
        // Rounded up to whole milliseconds, Vert.x's timer unit: sending late is safe, early is not.
        long delayMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + TimeUnit.MILLISECONDS.toNanos(1) - 1));
        return Uni.createFrom().emitter(emitter -> {
            long timerId = vertx.setTimer(delayMillis, id -> emitter.complete(waitNanos));
            emitter.onTermination(() -> vertx.cancelTimer(timerId));
        });
    }
}
