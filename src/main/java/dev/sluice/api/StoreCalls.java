package dev.sluice.api;

import dev.sluice.limit.Admission;
import dev.sluice.limit.BucketAdjustment;
import dev.sluice.limit.RateLimiter;
import dev.sluice.metrics.SluiceMetrics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The {@link AdmissionGate}'s calls to the bucket store, fitted to the request's event loop: each one timed for
 * the metrics and traced as a span; a decision brought back to the event loop it was asked from; corrections
 * sent without waiting; an admission for later held on a Vert.x timer, never by blocking a thread.
 */
final class StoreCalls {

    private static final Logger LOG = Logger.getLogger("dev.sluice.store");

    private final RateLimiter limiter;
    private final Vertx vertx;
    private final SluiceMetrics metrics;
    private final Tracer tracer;

    StoreCalls(RateLimiter limiter, Vertx vertx, SluiceMetrics metrics, Tracer tracer) {
        this.limiter = limiter;
        this.vertx = vertx;
        this.metrics = metrics;
        this.tracer = tracer;
    }

    /**
     * Sends corrections to the store and does not wait: the request they follow is already answered,
     * and a lost one costs precision, not correctness (a reservation stays as charged, a pause or a cap
     * is not applied and the next 429 or reply brings it again), so a failure is only worth a debug line.
     */
    void settleWithoutWaiting(List<BucketAdjustment> adjustments, String what) {
        Span span = tracer.spanBuilder("sluice settle").setAttribute("sluice.adjustments", adjustments.size()).startSpan();
        observed("settle", span, () -> limiter.settle(adjustments, List.of())).whenComplete((ignored, failure) -> {
            if (failure != null) {
                LOG.debugf("Not stored: %s (%s)", what, failure.getMessage());
            }
        });
    }

    /** A store call, timed for the metrics, and its span ended (marked failed when the call failed). */
    private <T> CompletableFuture<T> observed(String operation, Span span, Supplier<? extends CompletionStage<T>> call) {
        long start = System.nanoTime();
        return call.get().toCompletableFuture().whenComplete((result, failure) -> {
            metrics.storeCall(operation, System.nanoTime() - start, failure == null);
            if (failure != null) {
                span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
            }
            span.end();
        });
    }

    /**
     * The store's decision, on the request's event loop. The in-memory store decides at once; a shared
     * store answers on one of its own threads, and the request continues on its event loop, which
     * Vert.x would hop to anyway.
     */
    Uni<Admission> decide(Supplier<CompletionStage<Admission>> call) {
        Span span = tracer.spanBuilder("sluice admit").startSpan();
        CompletableFuture<Admission> decision = observed("admit", span, () -> call.get().thenApply(admission -> {
            span.setAttribute("sluice.admitted", admission instanceof Admission.Admitted);
            return admission;
        }));
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

    /** The item once {@code waitNanos} have passed, on a Vert.x timer (no thread is blocked); at once when 0. */
    <T> Uni<T> hold(long waitNanos, T item) {
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
