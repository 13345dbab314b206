package dev.sluice.sim;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every API call goes through, whatever its endpoint: the bearer key (401), the key's RPM and
 * TPM buckets (429 with OpenAI's message and headers), a drawn fault, then the configured latency
 * before the answer. Each call is judged (and counted) once, on arrival; only its answer waits (and,
 * with usage accounting, the correction of its TPM charge).
 */
final class Gate {

    /** A hung call's connection is closed after this, so that nothing leaks for ever. */
    static final long HANG_MILLIS = TimeUnit.MINUTES.toMillis(10);

    private static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("x-request-id");

    private final Vertx vertx;
    private final SimulatorConfig config;
    private final SimulatorState state;
    private final Fault.Dice dice;
    private final AtomicLong sequence = new AtomicLong();

    Gate(Vertx vertx, SimulatorConfig config, SimulatorState state) {
        this.vertx = vertx;
        this.config = config;
        this.state = state;
        this.dice = new Fault.Dice(config);
    }

    long nowNanos() {
        return config.nanoTime().getAsLong();
    }

    /** @return the caller of a configured key; null, and the call answered 401, for any other */
    Caller authenticate(HttpServerRequest request, long arrivalNanos) {
        Caller caller = caller(request);
        if (caller == null) {
            unauthorized(request, arrivalNanos);
        }
        return caller;
    }

    /** @return the caller of a configured key, else null (nothing answered yet) */
    Caller caller(HttpServerRequest request) {
        String key = bearerKey(request.getHeader(HttpHeaders.AUTHORIZATION));
        StatsWindow stats = state.stats();
        KeyCounters counters = key == null ? null : stats.key(key);
        return counters == null ? null : new Caller(key, counters, stats);
    }

    void unauthorized(HttpServerRequest request, long arrivalNanos) {
        state.stats().unauthorized.increment();
        sendJson(request.response(), 401, unauthorizedBody(bearerKey(request.getHeader(HttpHeaders.AUTHORIZATION))),
                arrivalNanos);
    }

    /** A body that cannot be served: a 400 naming {@code param}, charged nothing. */
    void badRequest(HttpServerRequest request, Caller caller, String message, String param, String code,
                    long arrivalNanos) {
        caller.counters().badRequests.increment();
        sendJson(request.response(), 400, ReplyBodies.error(message, "invalid_request_error", param, code), arrivalNanos);
    }

    /** A call with nothing to parse: its body read and dropped, its caller authenticated, then {@link #admit}. */
    void admitAfterBody(HttpServerRequest request, Call call) {
        long arrivalNanos = nowNanos();
        request.body().onSuccess(ignored -> {
            Caller caller = authenticate(request, arrivalNanos);
            if (caller != null) {
                admit(request, caller, call, arrivalNanos);
            }
        });
    }

    /**
     * Charges the caller's key one request and {@link Call#tokenCost()} tokens if both fit now, else
     * answers 429. An admitted call draws a fault and, after the configured latency, is answered: a
     * server error, a reset or a hang here, otherwise by {@link Call#reply}.
     */
    void admit(HttpServerRequest request, Caller caller, Call call, long arrivalNanos) {
        KeyCounters counters = caller.counters();
        long nowNanos = nowNanos();
        long second = caller.stats().second(nowNanos);
        long tokenCost = call.tokenCost();
        counters.recordArrival(nowNanos);
        LimitDecision decision = state.limiter(caller.key()).tryAcquire(tokenCost, nowNanos);
        long serial = sequence.incrementAndGet();
        HttpServerResponse response = request.response();
        response.headers().set(REQUEST_ID, "req_sim" + serial);
        LimitHeaders.putLimits(response.headers(), decision);
        if (!decision.admitted()) {
            counters.recordRateLimited(second);
            if (!decision.tooLarge()) {
                counters.recordAdvice(nowNanos + decision.retryAfterNanos());
            }
            call.dropped();
            refuse(response, decision, arrivalNanos);
            return;
        }
        counters.tokensCharged.add(tokenCost);
        counters.recordStarted();
        AtomicBoolean over = new AtomicBoolean();
        response.endHandler(ended -> {
            if (over.compareAndSet(false, true)) {
                counters.recordEnded();
            }
        });
        response.closeHandler(closed -> {
            if (over.compareAndSet(false, true)) {
                counters.recordEnded();
            }
        });
        Fault fault = dice.draw(call.stream(), nowNanos);
        switch (fault) {
            case NONE -> counters.recordOk(nowNanos, second, call.promptTokens(), call.completionTokens());
            case SERVER_ERROR -> counters.serverErrors.increment();
            default -> counters.faults.increment();
        }
        long delayMillis = config.latencyMillis() + dice.jitterMillis();
        Runnable answer = () -> {
            settleUsage(caller, call, fault);
            answer(request, call, fault, serial, arrivalNanos);
        };
        if (delayMillis > 0) {
            vertx.setTimer(delayMillis, id -> answer.run());
        } else {
            answer.run();
        }
    }

    /**
     * Usage accounting: as the answer goes out, the TPM charge becomes what the call used (an error
     * answer used nothing); a reset or hung connection keeps it, the upstream may have run it.
     */
    private void settleUsage(Caller caller, Call call, Fault fault) {
        if (config.tokenAccounting() != SimulatorConfig.TokenAccounting.USAGE) {
            return;
        }
        long used = switch (fault) {
            case NONE, ABORT -> call.usedTokens();
            case SERVER_ERROR -> 0;
            case RESET, HANG -> call.tokenCost();
        };
        long delta = used - call.tokenCost();
        if (delta != 0) {
            state.limiter(caller.key()).correctTokens(delta, nowNanos());
            caller.counters().tokensCharged.add(delta);
        }
    }

    private void answer(HttpServerRequest request, Call call, Fault fault, long serial, long arrivalNanos) {
        HttpServerResponse response = request.response();
        switch (fault) {
            case SERVER_ERROR -> {
                call.dropped();
                int status = dice.nextServerErrorStatus();
                sendJson(response, status, ReplyBodies.error(status == 500
                        ? "The server had an error while processing your request. Sorry about that!"
                        : "The engine is currently overloaded, please try again later.", "server_error", null, null),
                        arrivalNanos);
            }
            case RESET -> {
                call.dropped();
                request.connection().close();
            }
            case HANG -> {
                call.dropped();
                // closing a connection the caller closed first does nothing (its close handler counts the end)
                vertx.setTimer(HANG_MILLIS, id -> request.connection().close());
            }
            case NONE, ABORT ->
                    call.reply(new Answer(request, serial, fault == Fault.ABORT, arrivalNanos, config.nanoTime()));
        }
    }

    private void refuse(HttpServerResponse response, LimitDecision decision, long arrivalNanos) {
        LimitDecision.BucketView bucket = decision.refusingBucket();
        String per = decision.limitType() + " per min (" + ("requests".equals(decision.limitType()) ? "RPM" : "TPM") + ")";
        String message;
        if (decision.tooLarge()) {
            message = "Request too large for " + per + ": Limit " + bucket.limitPerMinute() + ", Requested "
                    + decision.requested() + ". The input or output tokens must be reduced in order to run successfully.";
        } else {
            LimitHeaders.putRetryAfter(response.headers(), decision.retryAfterNanos());
            message = "Rate limit reached for " + per + ": Limit " + bucket.limitPerMinute() + ", Remaining "
                    + bucket.remaining() + ", Requested " + decision.requested() + ". Please try again in "
                    + GoDuration.format(decision.retryAfterNanos()) + ".";
        }
        sendJson(response, 429, ReplyBodies.error(message, decision.limitType(), null, "rate_limit_exceeded"), arrivalNanos);
    }

    /** The presented key, masked: OpenAI shows a few characters at each end and never the whole key. */
    private static String unauthorizedBody(String key) {
        if (key == null) {
            return ReplyBodies.error("You didn't provide an API key. You need to provide your API key in an Authorization"
                    + " header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", "invalid_request_error", null,
                    "invalid_api_key");
        }
        String masked = key.length() < 12 ? "*".repeat(Math.min(key.length(), 40))
                : key.substring(0, 3) + "*".repeat(Math.min(key.length() - 7, 40)) + key.substring(key.length() - 4);
        return ReplyBodies.error("Incorrect API key provided: " + masked + ". You can find your API key at"
                + " https://platform.openai.com/account/api-keys.", "invalid_request_error", null, "invalid_api_key");
    }

    /** @return null when there is no {@code Bearer} token */
    static String bearerKey(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String key = authorization.substring(7).trim();
        return key.isEmpty() ? null : key;
    }

    private void sendJson(HttpServerResponse response, int status, String body, long arrivalNanos) {
        Answer.sendJson(response, status, body, arrivalNanos, config.nanoTime());
    }
}
