package dev.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives chat requests (or, with {@code --api=responses}, Responses API requests) at one or more Sluice instances (or straight at an upstream) on loopback,
 * bounded in time and count, and prints one JSON line: what the clients saw and, from the
 * simulator's /stats, what the upstream saw (with several simulators, {@code --simulator=a,b}: their sum
 * and each one's own figures). Clients behave like a polite OpenAI SDK: after a 429
 * they wait what {@code retry-after-ms} (or {@code retry-after}) advises, then retry, twice at most; with
 * {@code --retry-server-errors=true} they treat a 5xx the same way, as the SDKs do. A Responses reply
 * counts as answered only when the Response it carries (a stream's terminal event's) is {@code completed} or
 * {@code incomplete}; the result then adds the statuses seen and the usage the clients were told.
 *
 * <pre>java -cp … dev.sluice.bench.LoadDriver --targets=http://127.0.0.1:8081/v1 --simulator=http://127.0.0.1:9000
 *     --clients=50 --duration=30s --upstream-rpm=600 --series=target/bench/series.csv</pre>
 */
public final class LoadDriver {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Wait after a 429 that advises nothing: a second, like OpenAI's SDK falls back to. */
    private static final long DEFAULT_RETRY_MILLIS = 1000;
    /** The longest advised wait a client honours; a client that would wait longer gives up. */
    private static final long MAX_RETRY_MILLIS = 60_000;

    private final LoadConfig config;
    private final HttpClient http;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final RequestBodies bodies;
    private final AtomicLong started = new AtomicLong();
    private final long startNanos = System.nanoTime();
    private final long startEpochMillis = System.currentTimeMillis();
    private final long deadlineNanos;
    private final Recorder recorder;
    /** Each success's latency in microseconds, by who answered it ({@link #attempt}'s servedBy). */
    private final Map<String, java.util.concurrent.ConcurrentLinkedQueue<Long>> latencyByServer = new java.util.concurrent.ConcurrentHashMap<>();
    /** Answers per caller, for --caller-groups. */
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> okByCaller =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Responses API only: the statuses of the 2xx replies, and the usage they reported. */
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> responseStatuses =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.LongAdder inputTokensSeen = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder outputTokensSeen = new java.util.concurrent.atomic.LongAdder();

    LoadDriver(LoadConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.bodies = new RequestBodies(config.largePromptShare(), config.streamShare(), config.maxTokens(), config.api(),
                config.repeatShare(), config.repeatPool());
        this.deadlineNanos = startNanos + config.duration().toNanos();
        int seconds = (int) config.duration().plus(config.requestTimeout()).multipliedBy(config.retries() + 1L)
                .plusMinutes(2).toSeconds();
        this.recorder = new Recorder(config.targets().size(), seconds, startNanos);
    }

    public static void main(String[] args) throws Exception {
        LoadConfig config = LoadConfig.fromArgs(args);
        System.out.println(JSON.writeValueAsString(new LoadDriver(config).run()));
        System.exit(0);
    }

    Map<String, Object> run() throws Exception {
        for (URI simulator : config.simulators()) {
            SimulatorStats.reset(http, simulator);
        }
        List<Map<String, Long>> upstreamBefore = new ArrayList<>();
        for (URI simulator : config.simulators()) {
            upstreamBefore.add(SimulatorStats.totals(http, simulator));
        }
        List<CompletableFuture<Void>> work = switch (config.pattern()) {
            case CLOSED -> closedLoop();
            case BURST -> openLoop(config.burstInterval().toNanos(), config.burstSize());
            case STEADY -> openLoop(Math.max(1, (long) (1e9 / config.ratePerSecond())), 1);
        };
        long hardStopNanos = config.duration().plus(config.requestTimeout().plusSeconds(MAX_RETRY_MILLIS / 1000)
                .multipliedBy(config.retries() + 1L)).toNanos();
        try {
            CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).get(hardStopNanos, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            System.err.println("load driver: some requests were still open at the hard stop; counted as they were");
        }
        double elapsedSeconds = (System.nanoTime() - startNanos) / 1e9;
        List<Map<String, Long>> upstreamAfter = new ArrayList<>();
        for (URI simulator : config.simulators()) {
            upstreamAfter.add(totalsIfUp(simulator));
        }
        timers.shutdownNow();
        writeSeries((int) Math.ceil(elapsedSeconds));
        return result(elapsedSeconds, upstreamBefore, upstreamAfter);
    }

    /** A simulator's totals, or an empty map when it does not answer (stopped during the run and not back). */
    private Map<String, Long> totalsIfUp(URI simulator) {
        try {
            return SimulatorStats.totals(http, simulator);
        } catch (Exception e) {
            System.err.println("load driver: " + simulator + "/stats did not answer (" + e + "); its figures are left out");
            return Map.of();
        }
    }

    private List<CompletableFuture<Void>> closedLoop() {
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        for (int client = 0; client < config.clients(); client++) {
            SplittableRandom random = new SplittableRandom(client);
            int target = client % config.targets().size();
            String caller = "bench-caller-" + (client % config.callers());
            clients.add(nextInLoop(target, caller, random));
        }
        return clients;
    }

    private CompletableFuture<Void> nextInLoop(int target, String caller, SplittableRandom random) {
        if (!mayStart()) {
            return CompletableFuture.completedFuture(null);
        }
        return logicalRequest(target, caller, random).thenCompose(done -> nextInLoop(target, caller, random));
    }

    /** Every interval, {@code size} requests at once, spread over targets and callers. */
    private List<CompletableFuture<Void>> openLoop(long intervalNanos, int size) {
        List<CompletableFuture<Void>> requests = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(42);
        long next = startNanos;
        int sequence = 0;
        while (next < deadlineNanos) {
            sleepUntil(next);
            for (int i = 0; i < size && mayStart(); i++, sequence++) {
                int target = sequence % config.targets().size();
                String caller = "bench-caller-" + (sequence % config.callers());
                requests.add(logicalRequest(target, caller, random.split()));
            }
            next += intervalNanos;
        }
        return requests;
    }

    private boolean mayStart() {
        return System.nanoTime() < deadlineNanos && started.incrementAndGet() <= config.maxRequests();
    }

    /** One request with its polite retries; completes when it has a final answer. */
    private CompletableFuture<Void> logicalRequest(int target, String caller, SplittableRandom random) {
        recorder.requests.increment();
        RequestBodies.Body body = bodies.next(random);
        HttpRequest request = HttpRequest.newBuilder(URI.create(config.targets().get(target) + config.api().path()))
                .timeout(config.requestTimeout())
                .header("Authorization", "Bearer " + caller)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.json()))
                .build();
        long firstNanos = System.nanoTime();
        String[] servedBy = {"upstream"};
        return attempt(request, body.stream(), target, 0, servedBy).thenAccept(outcome -> {
            recorder.finished(target, outcome, System.nanoTime() - firstNanos);
            if (outcome == Recorder.OK) {
                latencyByServer.computeIfAbsent(servedBy[0], server -> new java.util.concurrent.ConcurrentLinkedQueue<>())
                        .add((System.nanoTime() - firstNanos) / 1_000); // micros, as the recorder keeps them
            }
            if (outcome == Recorder.OK && config.callerGroups() > 0) {
                okByCaller.computeIfAbsent(caller, name -> new java.util.concurrent.atomic.LongAdder()).increment();
            }
        });
    }

    /** @param servedBy set to who answered a success: the cache ({@code hit}), a shared call ({@code coalesced}), or the upstream */
    private CompletableFuture<Integer> attempt(HttpRequest request, boolean stream, int target, int retry, String[] servedBy) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
            long now = System.nanoTime();
            int status = failure == null ? response.statusCode() : 0;
            boolean serverError = status >= 500;
            if (failure != null || (status >= 400 && status != 429 && !serverError)
                    || (serverError && !config.retryServerErrors())) {
                recorder.attempt(target, Recorder.ERROR, now);
                return CompletableFuture.completedFuture(Recorder.ERROR);
            }
            if (status < 400) {
                int outcome = config.api() == LoadConfig.Api.RESPONSES && !answered(response.body(), stream)
                        ? Recorder.ERROR : Recorder.OK;
                if (response.headers().firstValue("x-sluice-cache").filter("hit"::equals).isPresent()) {
                    servedBy[0] = "cache_hit";
                } else if (response.headers().firstValue("x-sluice-coalesced").isPresent()) {
                    servedBy[0] = "coalesced";
                }
                recorder.attempt(target, outcome, now);
                return CompletableFuture.completedFuture(outcome);
            }
            int outcome = serverError ? Recorder.ERROR : Recorder.RATE_LIMITED;
            recorder.attempt(target, outcome, now);
            long waitMillis = advisedWaitMillis(response);
            if (retry >= config.retries() || waitMillis > MAX_RETRY_MILLIS) {
                return CompletableFuture.completedFuture(outcome);
            }
            Executor later = CompletableFuture.delayedExecutor(waitMillis, TimeUnit.MILLISECONDS, timers::execute);
            return CompletableFuture.supplyAsync(() -> null, later)
                    .thenCompose(ignored -> attempt(request, stream, target, retry + 1, servedBy));
        }).thenCompose(outcome -> outcome);
    }

    /** Counts a Responses reply's status and usage; true when it is an answer the caller can use. */
    private boolean answered(String body, boolean stream) {
        ResponsesReply reply = ResponsesReply.read(body, stream);
        responseStatuses.computeIfAbsent(reply.status(), status -> new java.util.concurrent.atomic.LongAdder()).increment();
        inputTokensSeen.add(reply.inputTokens());
        outputTokensSeen.add(reply.outputTokens());
        return reply.answered();
    }

    static long advisedWaitMillis(HttpResponse<?> response) {
        try {
            var millis = response.headers().firstValue("retry-after-ms");
            if (millis.isPresent()) {
                return Math.max(0, Math.round(Double.parseDouble(millis.get())));
            }
            var seconds = response.headers().firstValue("retry-after");
            if (seconds.isPresent()) {
                return Math.max(0, Math.round(Double.parseDouble(seconds.get()) * 1000));
            }
        } catch (NumberFormatException e) {
            // an HTTP-date or garbage: fall back like the SDK does
        }
        return DEFAULT_RETRY_MILLIS;
    }

    private void sleepUntil(long nanos) {
        long remaining = nanos - System.nanoTime();
        if (remaining > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(remaining);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void writeSeries(int lastSecond) throws Exception {
        if (config.seriesFile().isPresent()) {
            Path file = Path.of(config.seriesFile().get());
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            List<String> rows = new ArrayList<>(recorder.seriesCsv(lastSecond));
            // the simulators' own counts: rows "upstream" (all of them) and, with several, "upstream:<index>"
            Map<Integer, long[]> all = new java.util.TreeMap<>();
            List<String> each = new ArrayList<>();
            for (int index = 0; index < config.simulators().size(); index++) {
                Map<Integer, long[]> seconds;
                try {
                    seconds = SimulatorStats.perSecond(http, config.simulators().get(index), startEpochMillis);
                } catch (Exception e) {
                    continue; // reported with the totals
                }
                for (Map.Entry<Integer, long[]> second : seconds.entrySet()) {
                    long[] counts = all.computeIfAbsent(second.getKey(), s -> new long[2]);
                    counts[0] += second.getValue()[0];
                    counts[1] += second.getValue()[1];
                    if (config.simulators().size() > 1) {
                        each.add(second.getKey() + ",upstream:" + index + "," + second.getValue()[0] + ","
                                + second.getValue()[1] + ",0");
                    }
                }
            }
            all.forEach((second, counts) -> rows.add(second + ",upstream," + counts[0] + "," + counts[1] + ",0"));
            rows.addAll(each);
            Files.write(file, rows);
        }
    }

    private Map<String, Object> result(double elapsedSeconds, List<Map<String, Long>> before, List<Map<String, Long>> after) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("label", config.label());
        result.put("pattern", config.pattern().name().toLowerCase());
        result.put("targets", config.targets().size());
        result.put("started_ms", startEpochMillis); // wall clock: to place events of the run (a stopped upstream) in its seconds
        result.put("elapsed_s", round(elapsedSeconds));
        long requests = recorder.requests.sum();
        result.put("requests", requests);
        result.put("ok", recorder.ok.sum());
        result.put("client_429_responses", recorder.rateLimitedResponses.sum());
        result.put("failed_after_retries_429", recorder.failedAfterRetries.sum());
        result.put("other_errors", recorder.otherErrors.sum());
        long errorResponses = 0;
        for (int target = 0; target < config.targets().size(); target++) {
            errorResponses += recorder.attempts(target, Recorder.ERROR);
        }
        result.put("error_responses", errorResponses); // every attempt's, retried ones too (--retry-server-errors)
        // to place an outage's first and last refusal against the moments a scenario broke and mended something
        result.put("first_error_at_ms", recorder.firstErrorAtMillis.get());
        result.put("last_error_at_ms", recorder.lastErrorAtMillis.get());
        result.put("ok_per_s", round(recorder.ok.sum() / elapsedSeconds));
        result.put("latency_ms", recorder.percentilesMillis(-1));
        if (config.repeatShare() >= 0) {
            // who answered the successes, and how fast: what a cache or shared calls saved the callers
            Map<String, Object> served = new java.util.LinkedHashMap<>();
            latencyByServer.forEach((server, nanos) -> {
                long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
                Map<String, Object> row = new java.util.LinkedHashMap<>();
                row.put("count", sorted.length);
                row.put("p50_ms", Recorder.percentile(sorted, 0.50));
                row.put("p99_ms", Recorder.percentile(sorted, 0.99));
                served.put(server, row);
            });
            result.put("served_by", served);
        }
        if (config.seriesFile().isPresent()) { // a run told as a story: where in it the slow requests were
            result.put("p99_ms_by_second", recorder.p99MillisBySecond((int) Math.ceil(elapsedSeconds)));
        }
        List<Map<String, Object>> perTarget = new ArrayList<>();
        for (int target = 0; target < config.targets().size(); target++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("target", config.targets().get(target).toString());
            row.put("ok", recorder.attempts(target, Recorder.OK));
            row.put("rate_limited", recorder.attempts(target, Recorder.RATE_LIMITED));
            row.put("errors", recorder.attempts(target, Recorder.ERROR));
            row.put("latency_ms", recorder.percentilesMillis(target));
            perTarget.add(row);
        }
        result.put("per_target", perTarget);
        if (config.api() == LoadConfig.Api.RESPONSES) {
            // what the clients were told, beside what the upstream counted (upstream.prompt_tokens and
            // completion_tokens): the same when every answer reached them whole
            result.put("api", "responses");
            Map<String, Long> statuses = new java.util.TreeMap<>();
            responseStatuses.forEach((status, count) -> statuses.put(status, count.sum()));
            result.put("response_statuses", statuses);
            Map<String, Long> usage = new LinkedHashMap<>();
            usage.put("input_tokens", inputTokensSeen.sum());
            usage.put("output_tokens", outputTokensSeen.sum());
            result.put("usage_seen", usage);
        }
        if (config.callerGroups() > 0) {
            // per group of callers: how many got an answer, the most and the fewest answers one caller got
            List<Map<String, Object>> groups = new ArrayList<>();
            for (int group = 0; group < config.callerGroups(); group++) {
                long most = 0;
                long fewest = Long.MAX_VALUE;
                long total = 0;
                int callers = 0;
                for (int caller = group; caller < config.callers(); caller += config.callerGroups()) {
                    var adder = okByCaller.get("bench-caller-" + caller);
                    long ok = adder == null ? 0 : adder.sum();
                    most = Math.max(most, ok);
                    fewest = Math.min(fewest, ok);
                    total += ok;
                    callers++;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("group", group);
                row.put("callers", callers);
                row.put("ok", total);
                row.put("most_ok_per_caller", most);
                row.put("fewest_ok_per_caller", callers == 0 ? 0 : fewest);
                groups.add(row);
            }
            result.put("per_caller_group", groups);
        }
        if (!before.isEmpty()) {
            // over the window in which requests were started (see goodput_ratio below)
            double windowSeconds = Math.min(elapsedSeconds, config.duration().toNanos() / 1e9);
            Map<String, Long> upstream = new LinkedHashMap<>();
            List<Map<String, Object>> perSimulator = new ArrayList<>();
            for (int index = 0; index < before.size(); index++) {
                Map<String, Long> was = before.get(index);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("simulator", config.simulators().get(index).toString());
                if (after.get(index).isEmpty()) {
                    row.put("unreachable_at_end", true);
                }
                after.get(index).forEach((name, value) -> {
                    if (name.equals(SimulatorStats.ACCEPTED_WINDOW_MS)) {
                        row.put(name, value); // a span, not a count: neither a difference nor a sum
                        upstream.merge(name, value, Math::max);
                        return;
                    }
                    row.put(name, value - was.getOrDefault(name, 0L));
                    upstream.merge(name, value - was.getOrDefault(name, 0L), Long::sum);
                });
                if (!config.simulatorRpms().isEmpty() && config.simulatorRpms().get(index) > 0) {
                    row.put("goodput_ratio", round((long) row.getOrDefault("ok", 0L) / windowSeconds
                            / (config.simulatorRpms().get(index) / 60.0)));
                }
                perSimulator.add(row);
            }
            result.put("upstream", upstream);
            if (perSimulator.size() > 1) {
                result.put("per_simulator", perSimulator);
            }
            long upstreamCalls = SimulatorStats.CALLS.stream().mapToLong(name -> upstream.getOrDefault(name, 0L)).sum();
            result.put("upstream_calls_per_request", requests == 0 ? 0 : round((double) upstreamCalls / requests));
            if (config.upstreamRpm() > 0) {
                // Over the window in which requests were started: the upstream counts a request when
                // it arrives, and none arrives after that window but the last ones in flight.
                double allowedPerSecond = config.upstreamRpm() / 60.0;
                result.put("goodput_ratio", round(upstream.getOrDefault("ok", 0L) / windowSeconds / allowedPerSecond));
            }
            if (config.upstreamTpm() > 0) {
                // A token bucket of one minute's worth lets through at most TPM at once plus TPM/60 a
                // second after, from its reset to the last request it accepted (the requests started in
                // the run's window reach it a little later when they waited for a retry-after); it
                // charges each request on arrival. Tokens sent beyond that: what it accepted past the
                // allowance, plus what it had to refuse (each refused request counted at the mean
                // size of an accepted one).
                long acceptedWindowMillis = upstream.getOrDefault(SimulatorStats.ACCEPTED_WINDOW_MS, 0L);
                double tokenWindowSeconds = acceptedWindowMillis > 0 ? acceptedWindowMillis / 1000.0 : windowSeconds;
                double allowedTokens = config.upstreamTpm() * (1 + tokenWindowSeconds / 60);
                long charged = upstream.getOrDefault("tokens_charged", 0L);
                long accepted = upstream.getOrDefault("ok", 0L) + upstream.getOrDefault("server_errors", 0L)
                        + upstream.getOrDefault("faults", 0L);
                double meanTokens = accepted == 0 ? 0 : (double) charged / accepted;
                double overshoot = Math.max(0, charged - allowedTokens)
                        + upstream.getOrDefault("rate_limited", 0L) * meanTokens;
                result.put("tokens_allowed", Math.round(allowedTokens));
                result.put("token_goodput_ratio", round(charged / allowedTokens));
                result.put("token_overshoot_pct", round(100 * overshoot / config.upstreamTpm()));
            }
        }
        return result;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
