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
import java.util.Optional;

/** Reads the simulated upstream's {@code GET /stats} and sums its counters over all keys. */
final class SimulatorStats {

    /** The counters that each count one upstream call. */
    static final List<String> CALLS = List.of("ok", "rate_limited", "server_errors", "faults");

    /** The counters compared before and after a run. */
    static final List<String> COUNTERS = List.of("ok", "rate_limited", "server_errors", "faults",
            "prompt_tokens", "completion_tokens", "tokens_charged");

    private static final ObjectMapper JSON = new ObjectMapper();

    private SimulatorStats() {
    }

    static Map<String, Long> totals(HttpClient http, Optional<URI> simulator) throws Exception {
        Map<String, Long> totals = new LinkedHashMap<>();
        if (simulator.isEmpty()) {
            return totals;
        }
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(simulator.get() + "/stats"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("the simulator's /stats answered " + response.statusCode());
        }
        JsonNode keys = JSON.readTree(response.body()).path("keys");
        COUNTERS.forEach(counter -> totals.put(counter, 0L));
        keys.forEach(key -> COUNTERS.forEach(counter -> totals.merge(counter, key.path(counter).asLong(0), Long::sum)));
        return totals;
    }
}
