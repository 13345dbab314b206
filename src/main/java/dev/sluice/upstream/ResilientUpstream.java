package dev.sluice.upstream;

import dev.sluice.config.SluiceSettings;
import dev.sluice.limit.TimeSource;
import dev.sluice.usage.AttemptCost;
import io.smallrye.faulttolerance.api.CustomBackoffStrategy;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The upstream call with retries and failover, built on SmallRye Fault Tolerance's programmatic
 * {@link Guard}: the retry here wraps each attempt, and each attempt passes its upstream's own circuit
 * breaker and bulkhead ({@link Upstream}), MicroProfile's order. An attempt that got 429, 500, 502,
 * 503, 504, no connection, no answer in time, or found its upstream's breaker open or bulkhead full is
 * tried again while the attempts, the total time and the retry budget allow. Other replies (2xx, other
 * 4xx) are never retried. A stream is retried only before its first byte: a streamed error status is
 * read whole (it is a small JSON body) and treated like any reply; a 2xx stream is handed on.
 *
 * <p>A retry goes to the best upstream for it ({@link Pacing}): another one than those that failed
 * when one can take it now, at once; otherwise the same one after an exponential backoff with full
 * jitter that is never shorter than what the upstream advised ({@link RetryAdvice}). Every retry is a
 * new request to an upstream, so it is admitted against that upstream's buckets first, never against
 * the caller's; every 429 is reported too, so that the whole fleet pauses when the upstream's key is used
 * up ({@link Throttle}). A request the upstream calls too large for its limit is only tried on another
 * upstream. When no retry follows, the caller gets the last reply as it was, or the last failure.
 */
@Singleton
public class ResilientUpstream {

    /** The limiter's side of the upstreams' pace, for one request. */
    public interface Pacing {

        /**
         * Admits one more attempt, on the best upstream for it, against that upstream's own limits,
         * waiting at most the given time; fails when no upstream can take it in time.
         *
         * @param failed   the upstreams this request failed on so far
         * @param lastCost what the attempt that just failed cost its upstream, which settles what it
         *                 reserved there
         */
        Uni<Upstream> admitRetry(Set<String> failed, AttemptCost lastCost, long maxWaitNanos);

        /** Whether an upstream other than those failed could take an attempt now. */
        boolean anotherAvailable(Set<String> failed);

        /** Whether the request has a candidate upstream other than those failed, ready now or not. */
        boolean anotherCandidate(Set<String> failed);

        /**
         * The upstream answered 429: when its key is used up ({@link Throttle.Exhausted}) every instance
         * should pause it as asked; whatever the 429 concerns, its headers say what is left on the key.
         */
        void throttled(Upstream upstream, Throttle throttle, Map<String, List<String>> headers);

        /**
         * Right before the attempt admitted last goes out: holds it when it is late for its admission,
         * so that it reaches the upstream no closer to later ones than their admissions allowed.
         */
        Uni<Void> beforeSend();
    }

    /** Larger error bodies are cut: only a streamed error status is read whole, and those are small. */
    private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;
    private static final TypeLiteral<Uni<UpstreamReply>> REPLY = new TypeLiteral<>() {
    };

    /** From the first attempt to the start of the last retry. */
    private final long maxTotalNanos;
    /** The limiter's: retries, their backoff and the upstreams' outlooks keep one time, which a test clock moves. */
    private final TimeSource clock;
    private final RetryBudget budget;
    private final Backoff backoff;
    private final Guard retries;

    @Inject
    public ResilientUpstream(SluiceSettings settings, TimeSource clock) {
        this.clock = clock;
        SluiceSettings.Retry retry = settings.resilience().retry();
        this.maxTotalNanos = retry.maxTotal().toNanos();
        this.budget = new RetryBudget(retry.budget().ratio(), retry.budget().minRetries(), retry.budget().window().toNanos());
        this.backoff = new Backoff(retry.baseDelay().toMillis(), retry.maxDelay().toMillis());
        this.retries = Guard.create()
                .withDescription("upstream retries")
                // the guarded call is non-blocking (a Uni) and already on the request's event loop:
                // offloading each attempt to another thread only added hops (+25 % CPU per request)
                .withThreadOffload(false)
                .withRetry()
                .maxRetries(retry.maxAttempts() - 1)
                .maxDuration(retry.maxTotal().toMillis(), ChronoUnit.MILLIS)
                .jitter(0, ChronoUnit.MILLIS) // the backoff below jitters, in full
                .whenException(this::worthRetrying)
                .withCustomBackoff().strategy(() -> new UpstreamBackoff(backoff)).done()
                .done()
                .build();
    }

    /**
     * @param first  the upstream the request was admitted to
     * @param pacing admits each retry on an upstream (a failure ends the retries), and hears each 429
     */
    public Uni<UpstreamReply> send(UpstreamRequest request, Upstream first, Pacing pacing) {
        long firstAttemptNanos = clock.nowNanos();
        budget.recordFirstAttempt(request.callerId(), firstAttemptNanos);
        // The request's one piece of state across its attempts (SmallRye asks the callable afresh for
        // each): every failed attempt replaces it with a history one attempt longer.
        AtomicReference<AttemptHistory> history = new AtomicReference<>(AttemptHistory.startingAt(firstAttemptNanos));
        Callable<Uni<UpstreamReply>> attempt = () -> {
            AttemptHistory before = history.get();
            Uni<Upstream> admitted = before.failed().isEmpty() ? Uni.createFrom().item(first)
                    : pacing.admitRetry(before.failedUpstreams(), before.last().cost(),
                                    Math.max(0, maxTotalNanos - before.spentNanos(clock.nowNanos())))
                            // no upstream can take another attempt in time: the last answer stands
                            .onFailure().transform(refused -> new RetriesOver(before));
            return admitted.call(upstream -> pacing.beforeSend()).flatMap(upstream -> upstream.send(request, call -> call
                            .flatMap(reply -> RetryableAttempt.retryableStatus(reply.status())
                                    ? whole(reply).onItem().failWith(whole -> RetryableAttempt.of(whole, clock))
                                    : Uni.createFrom().item(reply))
                            .onFailure(UpstreamFailure.class)
                            .transform(failure -> RetryableAttempt.of((UpstreamFailure) failure)))
                    .onFailure(failure -> failure instanceof CircuitBreakerOpenException || failure instanceof BulkheadException)
                    .transform(failure -> RetryableAttempt.of(notCalled(failure, upstream)))
                    .onFailure(RetryableAttempt.class).transform(failure -> {
                        RetryableAttempt failed = (RetryableAttempt) failure;
                        failed.throttle().ifPresent(throttle -> pacing.throttled(upstream, throttle, failed.reply().orElseThrow().headers()));
                        Set<String> failedOn = new HashSet<>(before.failedUpstreams());
                        failedOn.add(upstream.name());
                        AttemptHistory after = before.with(failed.on(upstream.name(), pacing.anotherAvailable(failedOn),
                                pacing.anotherCandidate(failedOn)));
                        history.set(after);
                        return new AttemptsFailed(after, request.callerId());
                    }));
        };
        Uni<UpstreamReply> guarded;
        try {
            guarded = retries.call(attempt, REPLY);
        } catch (Exception e) { // the guard only throws for a synchronous failure of the callable
            return Uni.createFrom().failure(e);
        }
        return guarded.onFailure(failure -> failure instanceof AttemptsFailed || failure instanceof RetriesOver)
                .recoverWithUni(failure -> {
                    AttemptHistory.Failed relayed = (failure instanceof RetriesOver over ? over.history
                            : ((AttemptsFailed) failure).history).toRelay();
                    return relayed.reply().map(reply -> Uni.createFrom().item(reply))
                            .orElseGet(() -> Uni.createFrom().failure(relayed.failure().orElseThrow()));
                });
    }

    private UpstreamFailure notCalled(Throwable failure, Upstream upstream) {
        return failure instanceof CircuitBreakerOpenException
                ? UpstreamFailure.notCalled(UpstreamFailure.Kind.CIRCUIT_OPEN,
                        "The upstream failed repeatedly; Sluice is giving it a moment before calling it again.", failure,
                        upstream.outlook().breakerOpenForNanos(clock.nowNanos()))
                : UpstreamFailure.notCalled(UpstreamFailure.Kind.BUSY,
                        "The upstream has as many calls in progress as it may have; try again shortly.", failure, 0);
    }

    /**
     * Retry while the advised wait still fits the total time (or another upstream is ready), and the
     * budget has a retry left. An attempt that never reached its upstream (breaker open, bulkhead
     * full) is moved to another candidate, outside the budget (the move adds no upstream call): at once
     * when one is ready, else admitted there with a hold, like any retry, rather than answered 503.
     */
    private boolean worthRetrying(Throwable failure) {
        if (!(failure instanceof AttemptsFailed failed)) {
            return false;
        }
        AttemptHistory.Failed last = failed.history.last();
        if (!last.called()) {
            return last.alternativeExists();
        }
        if (last.tooLarge() && !last.alternativeExists()) {
            return false; // no wait makes it fit: the caller hears the upstream's own words at once
        }
        long now = clock.nowNanos();
        if (!last.alternativeReady()
                && failed.history.spentNanos(now) + TimeUnit.MILLISECONDS.toNanos(last.advisedMillis()) >= maxTotalNanos) {
            return false; // waiting as asked would end past the limit: relay the answer now instead
        }
        return budget.tryRetry(failed.callerId, now);
    }

    /** A streamed error reply read whole, so that it can be relayed after the last attempt. */
    private static Uni<UpstreamReply> whole(UpstreamReply reply) {
        if (!reply.isStream()) {
            return Uni.createFrom().item(reply);
        }
        return reply.stream()
                .collect().in(Buffer::buffer, (body, chunk) -> {
                    if (body.length() < MAX_ERROR_BODY_BYTES) {
                        body.appendBuffer(chunk, 0, Math.min(chunk.length(), MAX_ERROR_BODY_BYTES - body.length()));
                    }
                })
                .map(body -> UpstreamReply.whole(reply.status(), reply.headers(), body));
    }

    /** The attempts so far failed, each worth another: what the retry predicate and the backoff read. */
    private static final class AttemptsFailed extends RuntimeException {
        final AttemptHistory history;
        /** Whose request: its retries come from its own budget too. */
        final String callerId;

        AttemptsFailed(AttemptHistory history, String callerId) {
            super("attempt " + history.failed().size() + " failed", null, false, false);
            this.history = history;
            this.callerId = callerId;
        }
    }

    /** Ends the retries with the answer of the attempts so far. Not {@link AttemptsFailed}: never retried. */
    private static final class RetriesOver extends RuntimeException {
        final AttemptHistory history;

        RetriesOver(AttemptHistory history) {
            super("no further attempt admitted", null, false, false);
            this.history = history;
        }
    }

    /** One per guarded call (SmallRye asks the supplier each time): the delay before each retry. */
    private static final class UpstreamBackoff implements CustomBackoffStrategy {
        private final Backoff backoff;

        UpstreamBackoff(Backoff backoff) {
            this.backoff = backoff;
        }

        @Override
        public long nextDelayInMillis(Throwable cause) {
            if (cause instanceof AttemptsFailed failed) {
                AttemptHistory.Failed last = failed.history.last();
                if (last.alternativeReady()) {
                    return 0; // another upstream takes the retry: nothing to wait out there
                }
                return backoff.delayMillis(failed.history.failed().size(), last.advisedMillis(), Randomness::nextDouble);
            }
            return backoff.delayMillis(1, 0, Randomness::nextDouble);
        }
    }
}
