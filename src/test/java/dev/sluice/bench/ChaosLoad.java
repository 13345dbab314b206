package dev.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Closed-loop chat clients against one Sluice over raw sockets (a new connection a request, so that a
 * refused connection and an answer cut short are told apart), each request classified strictly
 * ({@link ChaosOutcome}). With {@code --sigterm-pid} it sends SIGTERM to that process (the Sluice the
 * scenario started) after {@code --sigterm-after}, and splits the outcomes by phase: requests done before
 * the signal, in flight across it, and started after it. Prints one JSON line, with the simulator's counts
 * and the upstream calls per request.
 *
 * <pre>java -cp … dev.sluice.bench.ChaosLoad --port=18410 --simulator=http://127.0.0.1:18400 --clients=20
 *     --duration=20s [--stream-share=0.5] [--request-timeout=30s] [--sigterm-pid=PID --sigterm-after=8s]</pre>
 */
public final class ChaosLoad {

    private static final long REFUSED_PAUSE_MILLIS = 100;

    private final Map<String, String> options;
    private final int port;
    private final Duration timeout;
    private final RequestBodies bodies;
    private final long deadlineNanos;
    private final long maxRequests;
    private final AtomicLong started = new AtomicLong();
    private volatile long signalNanos = Long.MAX_VALUE;
    private final Map<String, Map<ChaosOutcome, LongAdder>> byPhase = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errorCodes = new ConcurrentHashMap<>();
    private final List<Long> okMillis = Collections.synchronizedList(new ArrayList<>());
    /** Whole answers per second of the run (by when they ended), to show how long a fault kept clients from any. */
    private final java.util.concurrent.atomic.AtomicLongArray okBySecond = new java.util.concurrent.atomic.AtomicLongArray(3600);
    private final long startNanos = System.nanoTime();

    private ChaosLoad(Map<String, String> options) {
        this.options = options;
        this.port = Integer.parseInt(options.get("port"));
        this.timeout = LoadConfig.duration(options.getOrDefault("request-timeout", "30s"));
        this.bodies = new RequestBodies(0, Double.parseDouble(options.getOrDefault("stream-share", "0.5")),
                Integer.parseInt(options.getOrDefault("max-tokens", "16")));
        this.deadlineNanos = System.nanoTime() + LoadConfig.duration(options.getOrDefault("duration", "20s")).toNanos();
        this.maxRequests = Long.parseLong(options.getOrDefault("max-requests", "1000000"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        System.out.println(new ObjectMapper().writeValueAsString(new ChaosLoad(options).run()));
        System.exit(0);
    }

    private Map<String, Object> run() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI simulator = options.containsKey("simulator") ? URI.create(options.get("simulator")) : null;
        if (simulator != null) {
            SimulatorStats.reset(http, simulator);
        }
        int clients = Integer.parseInt(options.getOrDefault("clients", "20"));
        List<Thread> threads = new ArrayList<>();
        for (int client = 0; client < clients; client++) {
            int id = client;
            threads.add(daemon(() -> loop(id)));
        }
        Long exitMillis = options.containsKey("sigterm-pid") ? signalAndWatch() : null;
        for (Thread thread : threads) {
            thread.join();
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("label", options.getOrDefault("label", "chaos"));
        result.put("clients", clients);
        result.put("elapsed_s", Math.round((System.nanoTime() - startNanos) / 1e8) / 10.0);
        long requests = byPhase.values().stream().flatMap(m -> m.values().stream()).mapToLong(LongAdder::sum).sum();
        result.put("requests", requests);
        Map<String, Long> outcomes = totals(null);
        result.put("outcomes", outcomes);
        long unclean = 0;
        for (ChaosOutcome outcome : ChaosOutcome.values()) {
            unclean += outcome.unclean ? outcomes.getOrDefault(outcome.name().toLowerCase(), 0L) : 0;
        }
        result.put("client_visible_errors", requests - outcomes.getOrDefault("ok", 0L));
        result.put("unclean", unclean);
        if (exitMillis != null) {
            Map<String, Object> phases = new LinkedHashMap<>();
            for (String phase : List.of("before", "in_flight", "after")) {
                phases.put(phase, totals(phase));
            }
            result.put("by_phase", phases);
            result.put("exit_ms_after_sigterm", exitMillis);
        }
        int seconds = (int) Math.min(3600, LoadConfig.duration(options.getOrDefault("duration", "20s")).toSeconds());
        List<Long> okPerSecond = new ArrayList<>();
        for (int second = 0; second < seconds; second++) {
            okPerSecond.add(okBySecond.get(second));
        }
        result.put("seconds_without_ok", okPerSecond.stream().filter(count -> count == 0).count());
        result.put("ok_by_second", okPerSecond);
        result.put("error_codes", new TreeMap<>(Map.copyOf(errorCodes.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum())))));
        List<Long> latencies;
        synchronized (okMillis) {
            latencies = new ArrayList<>(okMillis);
        }
        Collections.sort(latencies);
        result.put("ok_latency_ms", Map.of("p50", percentile(latencies, 0.5), "p99", percentile(latencies, 0.99),
                "max", latencies.isEmpty() ? 0 : latencies.get(latencies.size() - 1)));
        if (simulator != null) {
            Map<String, Long> upstream = SimulatorStats.totals(http, simulator);
            upstream.remove(SimulatorStats.ACCEPTED_WINDOW_MS);
            result.put("upstream", upstream);
            long calls = SimulatorStats.CALLS.stream().mapToLong(name -> upstream.getOrDefault(name, 0L)).sum();
            result.put("upstream_calls_per_request", requests == 0 ? 0 : Math.round(1000.0 * calls / requests) / 1000.0);
        }
        return result;
    }

    private void loop(int client) {
        SplittableRandom random = new SplittableRandom(client);
        while (System.nanoTime() < deadlineNanos && started.incrementAndGet() <= maxRequests) {
            RequestBodies.Body body = bodies.next(random);
            byte[] json = body.json().getBytes(StandardCharsets.UTF_8);
            byte[] request = HostileCase.concat(HostileCase.latin1("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer chaos-caller-" + (client % 10) + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + json.length + "\r\nConnection: close\r\n\r\n"), json);
            long sentNanos = System.nanoTime();
            RawExchange.Exchange exchange = RawExchange.send(port, request, timeout, 1);
            long doneNanos = System.nanoTime();
            ChaosOutcome outcome = ChaosOutcome.of(exchange, body.stream());
            String phase = doneNanos < signalNanos ? "before" : sentNanos < signalNanos ? "in_flight" : "after";
            byPhase.computeIfAbsent(phase, p -> new ConcurrentHashMap<>())
                    .computeIfAbsent(outcome, o -> new LongAdder()).increment();
            RawAnswer answer = exchange.first();
            if (outcome == ChaosOutcome.OK) {
                okMillis.add((doneNanos - sentNanos) / 1_000_000);
                okBySecond.incrementAndGet((int) Math.min(3599, (doneNanos - startNanos) / 1_000_000_000L));
            } else if (answer != null && answer.status() >= 400 && answer.complete()) {
                String origin = outcome == ChaosOutcome.RELAYED_ERROR ? " (relayed)" : "";
                errorCodes.computeIfAbsent(answer.status() + " " + AnswerCheck.errorCode(answer.body()) + origin,
                        code -> new LongAdder()).increment();
            }
            if (outcome == ChaosOutcome.REFUSED) {
                sleep(REFUSED_PAUSE_MILLIS); // Sluice is gone: no need to hammer the closed port
            }
        }
    }

    /** Sends SIGTERM after --sigterm-after and returns how long the process took to exit (-1: not within a minute). */
    private Long signalAndWatch() {
        long pid = Long.parseLong(options.get("sigterm-pid"));
        long afterNanos = LoadConfig.duration(options.getOrDefault("sigterm-after", "8s")).toNanos();
        sleep((startNanos + afterNanos - System.nanoTime()) / 1_000_000);
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
        signalNanos = System.nanoTime();
        process.destroy(); // SIGTERM
        while (process.isAlive() && System.nanoTime() - signalNanos < 60_000_000_000L) {
            sleep(20);
        }
        return process.isAlive() ? -1L : (System.nanoTime() - signalNanos) / 1_000_000;
    }

    private Map<String, Long> totals(String phase) {
        Map<String, Long> totals = new LinkedHashMap<>();
        byPhase.forEach((name, counts) -> {
            if (phase == null || phase.equals(name)) {
                counts.forEach((outcome, count) -> totals.merge(outcome.name().toLowerCase(), count.sum(), Long::sum));
            }
        });
        return totals;
    }

    private static long percentile(List<Long> sorted, double share) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(share * sorted.size())));
    }

    private static Thread daemon(Runnable work) {
        Thread thread = new Thread(work);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(Math.max(0, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
