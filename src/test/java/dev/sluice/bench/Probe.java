package dev.sluice.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A normal client beside an attack: one small chat request after another (every fifth a stream), each on
 * a new connection, 100 ms apart, so that a Sluice that stops accepting or answering shows at once.
 */
final class Probe {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Probe() {
    }

    /** Probes for {@code duration}; returns the outcomes and the latency of the whole ones. */
    static Map<String, Object> run(int port, Duration duration) {
        long endNanos = System.nanoTime() + duration.toNanos();
        Map<String, Long> outcomes = new LinkedHashMap<>();
        List<Long> latencies = new ArrayList<>();
        for (int n = 0; System.nanoTime() < endNanos; n++) {
            boolean stream = n % 5 == 4;
            byte[] body = ("{\"model\":\"gpt-sim\",\"max_tokens\":8" + (stream ? ",\"stream\":true" : "")
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"probe\"}]}").getBytes(StandardCharsets.UTF_8);
            byte[] request = HostileCase.concat(HostileCase.latin1("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer probe\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n"), body);
            long startNanos = System.nanoTime();
            RawExchange.Exchange exchange = RawExchange.send(port, request, TIMEOUT, 1);
            ChaosOutcome outcome = ChaosOutcome.of(exchange, stream);
            outcomes.merge(outcome.name().toLowerCase(), 1L, Long::sum);
            if (outcome == ChaosOutcome.OK) {
                latencies.add((System.nanoTime() - startNanos) / 1_000_000);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                break;
            }
        }
        Collections.sort(latencies);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("requests", outcomes.values().stream().mapToLong(Long::longValue).sum());
        result.put("outcomes", outcomes);
        result.put("ok_p50_ms", percentile(latencies, 0.5));
        result.put("ok_p99_ms", percentile(latencies, 0.99));
        result.put("ok_max_ms", latencies.isEmpty() ? 0 : latencies.get(latencies.size() - 1));
        return result;
    }

    private static long percentile(List<Long> sorted, double share) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(share * sorted.size())));
    }
}
