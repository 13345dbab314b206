package dev.sluice.metrics;

import dev.sluice.admission.LimitScope;
import dev.sluice.config.SluiceSettings;
import dev.sluice.limit.BucketStore;
import dev.sluice.limit.FailoverBucketStore;
import dev.sluice.limit.RateLimiter;
import dev.sluice.openai.Operation;
import dev.sluice.upstream.AttemptListener;
import dev.sluice.upstream.Upstream;
import dev.sluice.upstream.UpstreamPool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sluice's metrics, through Micrometer (Prometheus text at {@code /q/metrics}). Where the OpenTelemetry
 * GenAI semantic conventions name a metric, it is theirs, with their bucket boundaries, in Prometheus
 * naming ({@code gen_ai.server.request.duration} → {@code gen_ai_server_request_duration_seconds});
 * Sluice's own start with {@code sluice_}. Labels are bounded: no key, caller or prompt; models beyond
 * {@code SLUICE_METRICS_MAX_MODELS} are {@code other}; the plan only with {@code SLUICE_METRICS_PLAN_LABEL}.
 * Each meter is looked up once per label set and kept.
 */
@ApplicationScoped
public class SluiceMetrics implements AttemptListener {

    /** The conventions' boundaries for request and operation durations, in seconds. */
    static final double[] DURATION_BUCKETS_SECONDS = {0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24,
            20.48, 40.96, 81.92};
    /** The conventions' boundaries for the time to the first token, in seconds. */
    static final double[] FIRST_TOKEN_BUCKETS_SECONDS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75,
            1.0, 2.5, 5.0, 7.5, 10.0};
    /** The conventions' boundaries for token counts. */
    static final double[] TOKEN_BUCKETS = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304,
            16777216, 67108864};
    /** Sluice's boundaries for short waits: a held request, a store call. */
    static final double[] WAIT_BUCKETS_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
            5, 10, 30, 60};
    /** The error label of a request or attempt that did not fail. */
    static final String NO_ERROR = "";

    private final MeterRegistry registry;
    private final BoundedLabel models;
    private final boolean planLabel;
    private final Map<List<String>, Timer> timers = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
    private final Map<List<String>, DistributionSummary> summaries = new ConcurrentHashMap<>();
    /** Each upstream's shared buckets as last seen: what was left after an admission or the upstream said. */
    private final Map<List<String>, AtomicLong> capacityLeft = new ConcurrentHashMap<>();

    @Inject
    public SluiceMetrics(MeterRegistry registry, SluiceSettings settings, RateLimiter limiter, UpstreamPool upstreams) {
        this.registry = registry;
        this.models = new BoundedLabel(settings.metrics().maxModels());
        this.planLabel = settings.metrics().planLabel();
        BucketStore store = limiter.store();
        Gauge.builder("sluice.store.up", store, SluiceMetrics::storeUp)
                .description("Whether the shared store answered the last time it was asked (1) or not (0); 1 for the memory store")
                .tag("store", store.name())
                .register(registry);
        for (Upstream upstream : upstreams.all()) {
            for (String state : List.of("closed", "half_open", "open")) {
                Gauge.builder("sluice.upstream.breaker.state", upstream, in -> in.breakerState().equals(state) ? 1 : 0)
                        .description("The upstream's circuit breaker on this instance: 1 for its current state, 0 for the others")
                        .tags("sluice.upstream", upstream.name(), "state", state)
                        .register(registry);
            }
        }
    }

    private static double storeUp(BucketStore store) {
        return store instanceof FailoverBucketStore shared ? (shared.sharedAvailable() ? 1 : 0) : 1;
    }

    /** The GenAI convention's {@code gen_ai.operation.name}; empty for a call that is not a model operation. */
    static Optional<String> operationName(Operation operation) {
        return switch (operation) {
            // the GenAI conventions have no name of their own for the Responses API: a response is a chat turn
            case CHAT_COMPLETIONS, RESPONSES -> Optional.of("chat");
            case COMPLETIONS -> Optional.of("text_completion");
            case EMBEDDINGS -> Optional.of("embeddings");
            case MODERATIONS, MODELS -> Optional.empty();
        };
    }

    /**
     * A request is over (for a stream: its last byte went out).
     *
     * @param model   the model it asked for; null before the body was read
     * @param plan    the caller's plan; null before the caller was known
     * @param status  what the caller got
     * @param outcome {@code admitted}, {@code refused} (a 429 of Sluice's limits), {@code rejected} (never
     *                reached admission: bad key, bad body, store unavailable) or {@code failed} (admitted, no
     *                good answer: the upstream's error, or Sluice's 5xx)
     */
    public void requestFinished(Operation operation, String model, String plan, int status, String outcome, long nanos) {
        counter("sluice.requests", "Requests Sluice answered, by outcome", withPlan(plan, "outcome", outcome)).increment();
        Optional<String> name = operationName(operation);
        if (name.isEmpty() || model == null) {
            return;
        }
        timer("gen_ai.server.request.duration", "Requests from their arrival to their last byte, as callers see them",
                DURATION_BUCKETS_SECONDS, withPlan(plan, "gen_ai.operation.name", name.get(), "gen_ai.request.model", models.of(model),
                        "error.type", status >= 400 ? Integer.toString(status) : NO_ERROR)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A stream's first chunk reached the caller, {@code nanos} after the request arrived. */
    public void firstToken(Operation operation, String model, long nanos) {
        operationName(operation).ifPresent(name -> timer("gen_ai.server.time_to_first_token",
                "Streams from the request's arrival to the first chunk relayed", FIRST_TOKEN_BUCKETS_SECONDS,
                "gen_ai.operation.name", name, "gen_ai.request.model", models.of(model)).record(nanos, TimeUnit.NANOSECONDS));
    }

    @Override
    public void attempted(Upstream upstream, Operation operation, OptionalInt status, long nanos) {
        String error = status.isEmpty() ? "no_answer" : status.getAsInt() >= 400 ? Integer.toString(status.getAsInt()) : NO_ERROR;
        operationName(operation).ifPresent(name -> timer("gen_ai.client.operation.duration",
                "Upstream attempts from sending to the answer's head (or failure)", DURATION_BUCKETS_SECONDS,
                "gen_ai.operation.name", name, "server.address", upstream.settings().url().getHost(),
                "sluice.upstream", upstream.name(), "error.type", error).record(nanos, TimeUnit.NANOSECONDS));
        counter("sluice.upstream.attempts", "Attempts sent to each upstream, by the answer's status",
                "sluice.upstream", upstream.name(), "status", status.isEmpty() ? "none" : Integer.toString(status.getAsInt()))
                .increment();
    }

    /** The tokens an answer used, as its {@code usage} said. */
    public void tokensUsed(Operation operation, String model, Upstream upstream, long inputTokens, long outputTokens) {
        operationName(operation).ifPresent(name -> {
            String modelValue = models.of(model);
            String host = upstream.settings().url().getHost();
            tokens(name, modelValue, host, upstream.name(), "input").record(inputTokens);
            tokens(name, modelValue, host, upstream.name(), "output").record(outputTokens);
        });
    }

    private DistributionSummary tokens(String operation, String model, String host, String upstream, String type) {
        List<String> key = List.of("gen_ai.client.token.usage", operation, model, host, upstream, type);
        return summaries.computeIfAbsent(key, ignored -> DistributionSummary.builder("gen_ai.client.token.usage")
                .description("Tokens used per answer, as the upstream's usage says")
                .serviceLevelObjectives(TOKEN_BUCKETS)
                .tags("gen_ai.operation.name", operation, "gen_ai.request.model", model, "server.address", host,
                        "sluice.upstream", upstream, "gen_ai.token.type", type)
                .register(registry));
    }

    /** A limit of Sluice's refused a request (a 429 naming {@code scope}). */
    public void refused(LimitScope scope, String plan) {
        counter("sluice.refusals", "Requests Sluice refused with a 429, by the limit that refused",
                withPlan(plan, "scope", scope.id())).increment();
    }

    /** A request shared the upstream call of an identical one in flight (no bucket, no upstream call of its own). */
    public void coalesced(Operation operation, String plan) {
        counter("sluice.coalesced", "Requests that shared the upstream call of an identical one in flight",
                withPlan(plan, "gen_ai.operation.name", operation.publicPath())).increment();
    }

    /** A cacheable request was looked up in the reply cache: {@code hit} (answered from it) or {@code miss}. */
    public void cacheLookup(Operation operation, boolean hit) {
        counter("sluice.cache", "Cacheable requests looked up in the reply cache, by result", "result", hit ? "hit" : "miss",
                "gen_ai.operation.name", operation.publicPath()).increment();
    }

    /** A plan's deny rule refused a request (by its name: never the text it matched). */
    public void denied(String rule, String plan) {
        counter("sluice.denied", "Requests a plan's deny rules refused, by rule", withPlan(plan, "rule", rule)).increment();
    }

    /** An admitted request was held {@code nanos} before it was sent (0: sent at once). */
    public void held(long nanos) {
        timer("sluice.wait", "How long admitted requests were held for their tokens before they were sent",
                WAIT_BUCKETS_SECONDS).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A retry was admitted on {@code to} after an attempt on {@code from} failed: a failover when they differ. */
    public void retried(String from, String to) {
        counter("sluice.retries", "Retries admitted, by the upstream they went to", "sluice.upstream", to).increment();
        if (!from.equals(to)) {
            counter("sluice.failovers", "Retries that went to another upstream than the attempt that failed",
                    "from", from, "to", to).increment();
        }
    }

    /** An upstream's 429 paused it for the fleet. */
    public void cooledDown(String upstream) {
        counter("sluice.upstream.cooldowns", "Pauses an upstream asked for with a 429", "sluice.upstream", upstream).increment();
    }

    /**
     * A request settled: it had reserved {@code reservedTokens} and used {@code usedTokens}; the two
     * counters' difference is the estimate's error.
     */
    public void settled(long reservedTokens, long usedTokens) {
        counter("sluice.tokens.reserved", "Tokens reserved on arrival by requests whose real usage is known").increment(reservedTokens);
        counter("sluice.tokens.settled", "Tokens those requests really used").increment(usedTokens);
    }

    /** A store call ({@code admit} or {@code settle}) took {@code nanos}; {@code ok} false when it failed. */
    public void storeCall(String operation, long nanos, boolean ok) {
        timer("sluice.store.operation", "Calls to the bucket store", WAIT_BUCKETS_SECONDS, "operation", operation,
                "outcome", ok ? "ok" : "error").record(nanos, TimeUnit.NANOSECONDS);
    }

    /** What an upstream's shared buckets held as last seen (after an admission, or as the upstream said). */
    public void capacitySeen(String upstream, OptionalLong requestsLeft, OptionalLong tokensLeft) {
        requestsLeft.ifPresent(left -> capacity(upstream, "requests").set(left));
        tokensLeft.ifPresent(left -> capacity(upstream, "tokens").set(left));
    }

    private AtomicLong capacity(String upstream, String unit) {
        return capacityLeft.computeIfAbsent(List.of(upstream, unit), key -> {
            AtomicLong left = new AtomicLong();
            Gauge.builder("sluice.upstream.capacity.left", left, AtomicLong::get)
                    .description("What the upstream's shared bucket held as this instance last saw it")
                    .tags("sluice.upstream", upstream, "unit", unit)
                    .register(registry);
            return left;
        });
    }

    /**
     * The tags, and the plan's when {@code SLUICE_METRICS_PLAN_LABEL} is on (every meter of a name has the
     * same tag keys, as Prometheus requires: a caller not known yet is {@code -}).
     */
    private String[] withPlan(String plan, String... tags) {
        if (!planLabel) {
            return tags;
        }
        String[] with = Arrays.copyOf(tags, tags.length + 2);
        with[tags.length] = "plan";
        with[tags.length + 1] = plan == null ? "-" : plan;
        return with;
    }

    private Counter counter(String name, String description, String... tags) {
        return counters.computeIfAbsent(key(name, tags), key -> Counter.builder(name).description(description)
                .tags(Tags.of(tags)).register(registry));
    }

    private Timer timer(String name, String description, double[] bucketsSeconds, String... tags) {
        return timers.computeIfAbsent(key(name, tags), key -> Timer.builder(name).description(description)
                .serviceLevelObjectives(Arrays.stream(bucketsSeconds).mapToObj(SluiceMetrics::duration).toArray(Duration[]::new))
                .tags(Tags.of(tags)).register(registry));
    }

    private static Duration duration(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    private static List<String> key(String name, String... tags) {
        String[] key = new String[tags.length + 1];
        key[0] = name;
        System.arraycopy(tags, 0, key, 1, tags.length);
        return List.of(key);
    }
}
