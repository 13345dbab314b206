package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a simulated upstream's {@code GET /stats} and sums its counters over all keys. */
final class SimulatorStats {

    /** The counters that each count one upstream call. */
    static final List<String> CALLS = List.of("ok", "rate_limited", "server_errors", "faults");

    /** The counters compared before and after a run. */
    static final List<String> COUNTERS = List.of("ok", "rate_limited", "server_errors", "faults",
            "prompt_tokens", "completion_tokens", "tokens_charged", "calls_before_retry_after");

    /**
     * Not a counter: from the simulator's last reset to the last request it accepted, in milliseconds
     * (0 when it accepted none). What its buckets could have let through is bounded by this window.
     */
    static final String ACCEPTED_WINDOW_MS = "accepted_window_ms";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SimulatorStats() {
    }

    /** Zeroes the simulator's counters and refills its buckets, so that its seconds start with the run. */
    static void reset(HttpClient http, URI simulator) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(simulator + "/stats/reset"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("the simulator's /stats/reset answered " + response.statusCode());
        }
    }

    /**
     * The upstream's own view, second by second since its last reset (or its start), summed over keys:
     * second of the load driver's run → {ok, rate_limited}. A simulator's seconds are shifted onto the
     * driver's by the wall-clock time between the driver's start and the simulator's window start
     * (0 after the driver's own reset; the restart time for one restarted during the run).
     */
    static Map<Integer, long[]> perSecond(HttpClient http, URI simulator, long driverStartEpochMillis) throws Exception {
        JsonNode stats = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(simulator + "/stats"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
        int from = stats.path("per_second_from").asInt(0);
        int shift = (int) Math.round((stats.path("since_ms").asLong(driverStartEpochMillis) - driverStartEpochMillis) / 1000.0);
        Map<Integer, long[]> seconds = new java.util.TreeMap<>();
        stats.path("keys").forEach(key -> {
            JsonNode ok = key.path("ok_per_second");
            JsonNode limited = key.path("rate_limited_per_second");
            for (int i = 0; i < ok.size(); i++) {
                long[] counts = seconds.computeIfAbsent(shift + from + i, second -> new long[2]);
                counts[0] += ok.get(i).asLong();
                counts[1] += limited.path(i).asLong();
            }
        });
        return seconds;
    }

    static Map<String, Long> totals(HttpClient http, URI simulator) throws Exception {
        Map<String, Long> totals = new LinkedHashMap<>();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(simulator + "/stats"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("the simulator's /stats answered " + response.statusCode());
        }
        JsonNode stats = JSON.readTree(response.body());
        JsonNode keys = stats.path("keys");
        COUNTERS.forEach(counter -> totals.put(counter, 0L));
        keys.forEach(key -> COUNTERS.forEach(counter -> totals.merge(counter, key.path(counter).asLong(0), Long::sum)));
        long lastOk = 0;
        for (JsonNode key : keys) {
            lastOk = Math.max(lastOk, key.path("last_ok_ms").asLong(0));
        }
        totals.put(ACCEPTED_WINDOW_MS, lastOk == 0 ? 0 : Math.max(0, lastOk - stats.path("since_ms").asLong(lastOk)));
        return totals;
    }
}
