package dev.sluice.sim;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code POST /v1/chat/completions} and {@code POST /v1/embeddings}: authenticate, parse, charge
 * the key's buckets, draw a fault, then answer after the configured latency. Each request is
 * judged (and counted) on arrival; only the answer waits (and, with usage accounting, the
 * correction of its TPM charge).
 */
final class ApiHandler {

    /** A hung request's connection is closed after this, so that nothing leaks for ever. */
    static final long HANG_MILLIS = TimeUnit.MINUTES.toMillis(10);

    private static final CharSequence JSON_TYPE = HttpHeaders.createOptimized("application/json");
    private static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("x-request-id");
    private static final CharSequence PROCESSING_MS = HttpHeaders.createOptimized("openai-processing-ms");

    private final Vertx vertx;
    private final SimulatorConfig config;
    private final SimulatorState state;
    private final Fault.Dice dice;
    private final ReplyBodies bodies;
    private final AtomicLong sequence = new AtomicLong();

    ApiHandler(Vertx vertx, SimulatorConfig config, SimulatorState state) {
        this.vertx = vertx;
        this.config = config;
        this.state = state;
        this.dice = new Fault.Dice(config);
        this.bodies = new ReplyBodies(config.completionTokens());
    }

    void handle(HttpServerRequest request, boolean chat) {
        long arrivalNanos = config.nanoTime().getAsLong();
        request.body().onSuccess(body -> judge(request, chat, body, arrivalNanos));
    }

    private void judge(HttpServerRequest request, boolean chat, Buffer body, long arrivalNanos) {
        String key = bearerKey(request.getHeader(HttpHeaders.AUTHORIZATION));
        StatsWindow stats = state.stats();
        KeyCounters counters = key == null ? null : stats.key(key);
        if (counters == null) {
            stats.unauthorized.increment();
            sendJson(request.response(), 401, unauthorizedBody(key), arrivalNanos);
            return;
        }
        ApiRequest api;
        try {
            api = ApiRequest.parse(chat, body.getBytes(), config.defaultMaxTokens());
        } catch (ApiRequest.BadRequest e) {
            counters.badRequests.increment();
            sendJson(request.response(), 400, ReplyBodies.error(e.getMessage(), "invalid_request_error", e.param, null),
                    arrivalNanos);
            return;
        }
        long nowNanos = config.nanoTime().getAsLong();
        long second = stats.second(nowNanos);
        long tokenCost = api.tokenCost();
        counters.recordArrival(nowNanos);
        LimitDecision decision = state.limiter(key).tryAcquire(tokenCost, nowNanos);
        long serial = sequence.incrementAndGet();
        HttpServerResponse response = request.response();
        response.headers().set(REQUEST_ID, "req_sim" + serial);
        LimitHeaders.putLimits(response.headers(), decision);
        if (!decision.admitted()) {
            counters.recordRateLimited(second);
            if (!decision.tooLarge()) {
                counters.recordAdvice(nowNanos + decision.retryAfterNanos());
            }
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
        int tokensPerChoice = (int) Math.min(config.completionTokens(), api.maxTokens());
        Fault fault = dice.draw(api.stream(), nowNanos);
        switch (fault) {
            case NONE -> counters.recordOk(nowNanos, second, api.promptTokens(), (long) tokensPerChoice * api.choices());
            case SERVER_ERROR -> counters.serverErrors.increment();
            default -> counters.faults.increment();
        }
        long delayMillis = config.latencyMillis() + dice.jitterMillis();
        Runnable answer = () -> {
            settleUsage(key, counters, api, fault, tokensPerChoice);
            answer(request, api, fault, serial, tokensPerChoice, arrivalNanos);
        };
        if (delayMillis > 0) {
            vertx.setTimer(delayMillis, id -> answer.run());
        } else {
            answer.run();
        }
    }

    /**
     * Usage accounting: as the answer goes out, the TPM charge becomes what the request used (an
     * error answer used nothing); a reset or hung connection keeps it, the upstream may have run it.
     */
    private void settleUsage(String key, KeyCounters counters, ApiRequest api, Fault fault, int tokensPerChoice) {
        if (config.tokenAccounting() != SimulatorConfig.TokenAccounting.USAGE) {
            return;
        }
        long used = switch (fault) {
            case NONE, ABORT -> api.usedTokens(tokensPerChoice);
            case SERVER_ERROR -> 0;
            case RESET, HANG -> api.tokenCost();
        };
        long delta = used - api.tokenCost();
        if (delta != 0) {
            state.limiter(key).correctTokens(delta, config.nanoTime().getAsLong());
            counters.tokensCharged.add(delta);
        }
    }

    private void answer(HttpServerRequest request, ApiRequest api, Fault fault, long serial, int tokensPerChoice,
                        long arrivalNanos) {
        HttpServerResponse response = request.response();
        switch (fault) {
            case SERVER_ERROR -> {
                int status = dice.nextServerErrorStatus();
                sendJson(response, status, ReplyBodies.error(status == 500
                        ? "The server had an error while processing your request. Sorry about that!"
                        : "The engine is currently overloaded, please try again later.", "server_error", null, null),
                        arrivalNanos);
            }
            case RESET -> request.connection().close();
            case HANG -> {
                // closing a connection the caller closed first does nothing (its close handler counts the end)
                vertx.setTimer(HANG_MILLIS, id -> request.connection().close());
            }
            case NONE, ABORT -> reply(request, api, fault == Fault.ABORT, serial, tokensPerChoice, arrivalNanos);
        }
    }

    private void reply(HttpServerRequest request, ApiRequest api, boolean abort, long serial, int tokensPerChoice,
                       long arrivalNanos) {
        String quotedModel = ReplyBodies.quote(api.model());
        long createdSeconds = System.currentTimeMillis() / 1000;
        if (!api.chat()) {
            sendJson(request.response(), 200, ReplyBodies.embeddings(quotedModel, api.choices(), api.promptTokens()),
                    arrivalNanos);
            return;
        }
        String finishReason = api.maxTokens() < config.completionTokens() ? "length" : "stop";
        String id = "chatcmpl-sim" + serial;
        if (api.stream()) {
            putProcessingMillis(request.response(), arrivalNanos);
            ChatStream.send(vertx, request, config, id, createdSeconds, quotedModel, api, tokensPerChoice, finishReason,
                    abort);
        } else {
            sendJson(request.response(), 200, bodies.completion(id, createdSeconds, quotedModel, api.choices(),
                    tokensPerChoice, finishReason, api.promptTokens()), arrivalNanos);
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
        putProcessingMillis(response, arrivalNanos);
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON_TYPE).end(body);
    }

    private void putProcessingMillis(HttpServerResponse response, long arrivalNanos) {
        long elapsedNanos = config.nanoTime().getAsLong() - arrivalNanos;
        response.headers().set(PROCESSING_MS, Long.toString(Math.max(0, elapsedNanos) / 1_000_000));
    }
}
