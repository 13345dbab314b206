package dev.sluice.upstream;

import dev.sluice.config.SluiceSettings;
import io.smallrye.faulttolerance.api.CustomBackoffStrategy;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import io.vertx.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.inject.Inject;

import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The upstream call with retries, a circuit breaker and a bulkhead, built on SmallRye Fault Tolerance's
 * programmatic {@link Guard} (the order is MicroProfile's: each retry passes the breaker, then the
 * bulkhead). An
 * attempt that got 429, 500, 502, 503, 504, no connection or no answer in time is tried again, after
 * an exponential backoff with full jitter that is never shorter than what the upstream advised
 * ({@link RetryAdvice}), while the attempts, the total time and the retry budget allow. Other replies
 * (2xx, other 4xx) are never retried. A stream is retried only before its first byte: a streamed error
 * status is read whole (it is a small JSON body) and treated like any reply; a 2xx stream is handed on.
 *
 * <p>Every retry is a new request to the upstream, so it is admitted again against the upstream's
 * buckets first ({@link Pacing}), never against the caller's; every 429 is reported there too, so that
 * the whole fleet pauses as the upstream asked. When no retry follows, the
 * caller gets the upstream's last reply as it was, or the last failure.
 */
@ApplicationScoped
public class ResilientUpstream {

    /** The limiter's side of the upstream's pace, for one request. */
    public interface Pacing {

        /** Admits one more attempt against the upstream's own limits, waiting at most the given time. */
        Uni<Void> admitRetry(long maxWaitNanos);

        /** The upstream answered 429 and asked for this pause (milliseconds): every instance should keep it. */
        void rateLimited(long pauseMillis);
    }

    /** The pause kept after a 429 that advised none. */
    static final long DEFAULT_PAUSE_MILLIS = 1000;

    /** Larger error bodies are cut: only a streamed error status is read whole, and those are small. */
    private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;
    private static final TypeLiteral<Uni<UpstreamReply>> REPLY = new TypeLiteral<>() {
    };

    private final UpstreamCaller caller;
    private final SluiceSettings.Resilience settings;
    private final RetryBudget budget;
    private final Backoff backoff;
    private final Guard guard;

    @Inject
    public ResilientUpstream(UpstreamCaller caller, SluiceSettings settings) {
        this.caller = caller;
        this.settings = settings.resilience();
        this.budget = new RetryBudget(this.settings.budgetRatio(), this.settings.budgetMinRetries(),
                this.settings.budgetWindowNanos());
        this.backoff = new Backoff(this.settings.baseDelayMillis(), this.settings.maxDelayMillis());
        this.guard = Guard.create()
                .withDescription("upstream")
                // the guarded call is non-blocking (a Uni) and already on the request's event loop:
                // offloading each attempt to another thread only added hops (+25 % CPU per request)
                .withThreadOffload(false)
                .withRetry()
                .maxRetries(this.settings.maxAttempts() - 1)
                .maxDuration(TimeUnit.NANOSECONDS.toMillis(this.settings.maxTotalNanos()), ChronoUnit.MILLIS)
                .jitter(0, ChronoUnit.MILLIS) // the backoff below jitters, in full
                .whenException(this::worthRetrying)
                .withCustomBackoff().strategy(() -> new UpstreamBackoff(backoff)).done()
                .done()
                // every attempt passes the breaker: consecutive failures (not 429s, which are the
                // upstream's limit, not its health) open it, and one probe after the delay closes it
                .withCircuitBreaker()
                .requestVolumeThreshold(this.settings.breakerFailures())
                .failureRatio(1.0)
                .delay(this.settings.breakerDelayMillis(), ChronoUnit.MILLIS)
                .successThreshold(1)
                .when(failure -> failure instanceof RetryableAttempt attempt && attempt.countsAsUpstreamFailure())
                .done()
                .withBulkhead()
                .limit(this.settings.maxConcurrent())
                .queueSize(this.settings.maxConcurrent())
                .done()
                .build();
    }

    /**
     * @param pacing charges the upstream's buckets for each retry (a failure ends the retries), and
     *               hears each 429
     */
    public Uni<UpstreamReply> send(UpstreamRequest request, Pacing pacing) {
        long firstAttemptNanos = System.nanoTime();
        budget.recordFirstAttempt(firstAttemptNanos);
        AtomicInteger attempts = new AtomicInteger();
        AtomicReference<RetryableAttempt> previous = new AtomicReference<>();
        Callable<Uni<UpstreamReply>> attempt = () -> {
            int number = attempts.incrementAndGet();
            Uni<Void> admitted = number == 1 ? Uni.createFrom().voidItem()
                    : pacing.admitRetry(Math.max(0, settings.maxTotalNanos() - (System.nanoTime() - firstAttemptNanos)))
                            // the upstream's limits cannot take another attempt in time: the last answer stands
                            .onFailure().transform(refused -> new RetriesOver(previous.get()));
            return admitted.flatMap(ignored -> caller.send(request))
                    .flatMap(reply -> RetryableAttempt.retryableStatus(reply.status())
                            ? whole(reply).onItem().failWith(whole -> RetryableAttempt.of(whole, firstAttemptNanos, number))
                            : Uni.createFrom().item(reply))
                    .onFailure(UpstreamFailure.class)
                    .transform(failure -> RetryableAttempt.of((UpstreamFailure) failure, firstAttemptNanos, number))
                    .onFailure(RetryableAttempt.class).invoke(failure -> {
                        RetryableAttempt failed = (RetryableAttempt) failure;
                        previous.set(failed);
                        if (failed.reply() != null && failed.reply().status() == 429) {
                            pacing.rateLimited(failed.advisedMillis() > 0 ? failed.advisedMillis() : DEFAULT_PAUSE_MILLIS);
                        }
                    });
        };
        Uni<UpstreamReply> guarded;
        try {
            guarded = guard.call(attempt, REPLY);
        } catch (Exception e) { // the guard only throws for a synchronous failure of the callable
            return Uni.createFrom().failure(e);
        }
        return guarded.onFailure(failure -> failure instanceof RetryableAttempt || failure instanceof RetriesOver
                        || failure instanceof CircuitBreakerOpenException || failure instanceof BulkheadException)
                .recoverWithUni(failure -> {
                    RetryableAttempt last = failure instanceof RetriesOver over ? over.last
                            : failure instanceof RetryableAttempt retryable ? retryable : previous.get();
                    if (last == null) { // not called at all
                        return Uni.createFrom().failure(failure instanceof CircuitBreakerOpenException
                                ? new UpstreamFailure(UpstreamFailure.Kind.CIRCUIT_OPEN,
                                        "The upstream failed repeatedly; Sluice is giving it a moment before calling it again.", failure)
                                : new UpstreamFailure(UpstreamFailure.Kind.BUSY,
                                        "The upstream has as many calls in progress as it may have; try again shortly.", failure));
                    }
                    return last.reply() != null ? Uni.createFrom().item(last.reply())
                            : Uni.createFrom().failure(last.failureToRelay());
                });
    }

    /** Retry while the advised wait still fits the total time, and the budget has a retry left. */
    private boolean worthRetrying(Throwable failure) {
        if (!(failure instanceof RetryableAttempt attempt)) {
            return false;
        }
        long now = System.nanoTime();
        long spentNanos = now - attempt.firstAttemptNanos();
        if (spentNanos + TimeUnit.MILLISECONDS.toNanos(attempt.advisedMillis()) >= settings.maxTotalNanos()) {
            return false; // waiting as asked would end past the limit: relay the answer now instead
        }
        return budget.tryRetry(now);
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

    /** Ends the retries with the previous attempt's answer. Not a {@link RetryableAttempt}: never retried. */
    private static final class RetriesOver extends RuntimeException {
        final RetryableAttempt last;

        RetriesOver(RetryableAttempt last) {
            super("no further attempt admitted", null, false, false);
            this.last = last;
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
            if (cause instanceof RetryableAttempt attempt) {
                return backoff.delayMillis(attempt.attempt(), attempt.advisedMillis(), ThreadLocalRandom.current()::nextDouble);
            }
            return backoff.delayMillis(1, 0, ThreadLocalRandom.current()::nextDouble);
        }
    }
}
