package dev.sluice.upstream;

import dev.sluice.config.SluiceSettings;
import dev.sluice.config.UpstreamSettings;
import dev.sluice.limit.TimeSource;
import dev.sluice.openai.Operation;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.util.TypeLiteral;
import org.jboss.logging.Logger;

import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * One upstream endpoint and key, and what Sluice keeps for calling it: its HTTP clients, its own
 * circuit breaker and bulkhead (SmallRye Fault Tolerance), and this instance's outlook on its
 * capacity. Its limits live with the limiter (dev.sluice.api.UpstreamLimits).
 */
public final class Upstream implements UpstreamChoice.Candidate, AutoCloseable {

    private static final Logger LOG = Logger.getLogger("dev.sluice.upstream");
    private static final TypeLiteral<Uni<UpstreamReply>> REPLY = new TypeLiteral<>() {
    };

    private final UpstreamSettings settings;
    private final UpstreamCaller caller;
    private final AttemptListener attempts;
    private final Guard guard;
    private final UpstreamOutlook outlook = new UpstreamOutlook();
    private final FailureWitnesses witnesses;
    private final TimeSource clock;
    /** For the log: a breaker that opens again after a failed probe is not news. */
    private final AtomicReference<CircuitBreakerState> breakerState = new AtomicReference<>(CircuitBreakerState.CLOSED);

    /**
     * @param caller makes the calls; {@code null} only in tests that never call, which get no breaker
     *               or bulkhead either (SmallRye Fault Tolerance needs its container to build them)
     * @param clock  the limiter's clock in nanoseconds, which the outlook's times are on
     */
    public Upstream(UpstreamSettings settings, SluiceSettings.Resilience resilience, UpstreamCaller caller,
            TimeSource clock) {
        this(settings, resilience, caller, clock, AttemptListener.NONE);
    }

    /** @param attempts hears each attempt made through this upstream */
    public Upstream(UpstreamSettings settings, SluiceSettings.Resilience resilience, UpstreamCaller caller,
            TimeSource clock, AttemptListener attempts) {
        this.settings = settings;
        this.caller = caller;
        this.attempts = attempts;
        this.clock = clock;
        this.witnesses = new FailureWitnesses(resilience.breaker().callers());
        this.guard = caller == null ? null : guard(resilience, clock);
    }

    /** Its breaker, which feeds the outlook and logs its changes, and its bulkhead. */
    private Guard guard(SluiceSettings.Resilience resilience, TimeSource clock) {
        long breakerDelayMillis = resilience.breaker().delay().toMillis();
        long breakerDelayNanos = TimeUnit.MILLISECONDS.toNanos(breakerDelayMillis);
        return Guard.create()
                .withDescription("upstream " + settings.name())
                // the call is a non-blocking Uni already on its event loop: no thread to offload to
                .withThreadOffload(false)
                // consecutive failures (not 429s, which are the upstream's limit, not its health) open it
                // once they come from enough callers (FailureWitnesses), and one probe after the delay closes it
                .withCircuitBreaker()
                .requestVolumeThreshold(resilience.breaker().failures())
                .failureRatio(1.0)
                .delay(breakerDelayMillis, ChronoUnit.MILLIS)
                .successThreshold(1)
                .when(failure -> failure instanceof RetryableAttempt attempt && attempt.countsForBreaker())
                .onStateChange(state -> {
                    CircuitBreakerState before = breakerState.getAndSet(state);
                    switch (state) {
                        case OPEN -> {
                            outlook.breakerOpenUntil(clock.nowNanos() + breakerDelayNanos, breakerDelayNanos);
                            if (before == CircuitBreakerState.CLOSED) {
                                LOG.warnf("Upstream %s: circuit breaker open after %d failed attempts in a row (of "
                                        + "at least %d callers); its requests go to other upstreams, and one probe every %d ms "
                                        + "until one succeeds", settings.name(), resilience.breaker().failures(),
                                        resilience.breaker().callers(), breakerDelayMillis);
                            } else {
                                LOG.debugf("Upstream %s: the probe failed, circuit breaker open again", settings.name());
                            }
                        }
                        case HALF_OPEN -> outlook.breakerHalfOpen();
                        case CLOSED -> {
                            outlook.breakerClosed();
                            LOG.infof("Upstream %s: circuit breaker closed, the probe succeeded", settings.name());
                        }
                    }
                })
                .done()
                .withBulkhead()
                .limit(resilience.maxConcurrent())
                .queueSize(resilience.maxConcurrent())
                .done()
                .build();
    }

    /**
     * One attempt through this upstream's breaker and bulkhead, with its key in managed mode.
     *
     * @param attempt turns the reply into a {@link RetryableAttempt} failure when it is worth another
     *                attempt, so that the breaker counts it
     */
    Uni<UpstreamReply> send(UpstreamRequest request, Function<Uni<UpstreamReply>, Uni<UpstreamReply>> attempt) {
        UpstreamRequest sent = settings.apiKey().isEmpty() ? request
                : new UpstreamRequest(request.operation(), request.body(), request.stream(),
                        request.headers().withKey(settings.apiKey().get().value()), request.callerId());
        try {
            return guard.call(() -> attempt.apply(heard(caller.send(sent), request.operation()))
                    .onFailure(RetryableAttempt.class).transform(failure -> witnessed((RetryableAttempt) failure, request.callerId())), REPLY);
        } catch (Exception e) { // the guard throws only for a synchronous failure of the callable
            return Uni.createFrom().failure(e);
        }
    }

    /** A failed attempt, judged by whether it counts toward the breaker; a 429 never does (the upstream's limit, not its health). */
    private RetryableAttempt witnessed(RetryableAttempt failed, String callerId) {
        return failed.countsAsUpstreamFailure() ? failed.countedForBreaker(witnesses.counts(callerId, clock.nowNanos())) : failed;
    }

    /** The attempt, timed from its subscription (monotonic clock) to its answer's head or its failure. */
    private Uni<UpstreamReply> heard(Uni<UpstreamReply> call, Operation operation) {
        return Uni.createFrom().deferred(() -> {
            long start = System.nanoTime();
            return call.onItemOrFailure().invoke((reply, failure) -> attempts.attempted(this, operation,
                    reply == null ? OptionalInt.empty() : OptionalInt.of(reply.status()), System.nanoTime() - start));
        });
    }

    /**
     * A call on any other endpoint, once, through this upstream's breaker and bulkhead, with its key in
     * managed mode. Not retried: a streamed body cannot be sent twice, and the caller's SDK retries what
     * is worth it. Its answer, whatever its status, goes back as it came; the breaker judges the upstream
     * by the metered calls, and an open one refuses this call too.
     */
    public Uni<UpstreamReply> relay(PassThroughRequest request) {
        PassThroughRequest sent = settings.apiKey().isEmpty() ? request
                : request.withHeaders(request.headers().withKey(settings.apiKey().get().value()));
        try {
            return guard.call(() -> caller.relay(sent), REPLY);
        } catch (Exception e) { // the guard throws only for a synchronous failure of the callable
            return Uni.createFrom().failure(e);
        }
    }

    /** Whether Sluice puts its own key in this upstream's calls (managed mode): all callers then share its objects. */
    public boolean managed() {
        return settings.apiKey().isPresent();
    }

    /** Its circuit breaker's state, as metrics name it: {@code closed}, {@code half_open} or {@code open}. */
    public String breakerState() {
        return breakerState.get().name().toLowerCase(Locale.ROOT);
    }

    /** A call outside the limits and retries (GET /v1/models), with this upstream's key in managed mode. */
    public Uni<UpstreamReply> sendOnce(UpstreamRequest request) {
        return send(request, reply -> reply);
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public int weight() {
        return settings.weight();
    }

    @Override
    public UpstreamOutlook outlook() {
        return outlook;
    }

    public UpstreamSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        if (caller != null) {
            caller.close();
        }
    }

    @Override
    public String toString() {
        return settings.toString();
    }
}
