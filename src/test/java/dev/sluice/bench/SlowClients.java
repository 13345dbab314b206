package dev.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Slow clients against one Sluice: {@code --connections} sockets split over three kinds, each moving one
 * byte every {@code --interval}: a request head that never ends (slowloris), a body that comes a byte at a
 * time, and a reader of a long stream that takes a byte at a time through a small receive window. Meanwhile
 * a probe sends one normal request after another (a stream every fifth), before the attack, during it and
 * after, on new connections. Prints one JSON line: how many slow connections Sluice still held at the end
 * and when it closed the others, and the probes' outcomes and latency in each phase.
 *
 * <pre>java -cp … dev.sluice.bench.SlowClients --port=18410 [--connections=300] [--interval=1s] [--attack=75s]
 *     [--reader-max-tokens=50000]</pre>
 */
public final class SlowClients {

    private SlowClients() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        int port = Integer.parseInt(options.get("port"));
        int connections = Integer.parseInt(options.getOrDefault("connections", "300"));
        long intervalMillis = LoadConfig.duration(options.getOrDefault("interval", "1s")).toMillis();
        Duration attack = LoadConfig.duration(options.getOrDefault("attack", "75s"));
        Duration quiet = LoadConfig.duration(options.getOrDefault("quiet", "10s"));
        int readerMaxTokens = Integer.parseInt(options.getOrDefault("reader-max-tokens", "50000"));

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("connections", connections);
        result.put("byte_interval_ms", intervalMillis);
        result.put("attack_s", attack.toSeconds());
        result.put("probe_before", Probe.run(port, quiet));

        List<SlowConnection> slow = new ArrayList<>();
        long attackStartNanos = System.nanoTime();
        for (int i = 0; i < connections; i++) {
            SlowConnection.Kind kind = SlowConnection.Kind.values()[i % SlowConnection.Kind.values().length];
            slow.add(SlowConnection.open(port, kind, readerMaxTokens));
        }
        result.put("opened_in_ms", (System.nanoTime() - attackStartNanos) / 1_000_000);
        Thread ticker = new Thread(() -> tick(slow, intervalMillis, attackStartNanos + attack.toNanos()));
        ticker.setDaemon(true);
        ticker.start();
        result.put("probe_during", Probe.run(port, attack.minusSeconds(1)));
        ticker.join();

        Map<String, Object> byKind = new LinkedHashMap<>();
        for (SlowConnection.Kind kind : SlowConnection.Kind.values()) {
            List<SlowConnection> ofKind = slow.stream().filter(c -> c.kind == kind).toList();
            List<Long> closedAt = ofKind.stream().filter(c -> c.closedAtMillis >= 0).map(c -> c.closedAtMillis).sorted().toList();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("opened", ofKind.stream().filter(c -> c.socket != null).count());
            row.put("held_at_end", ofKind.stream().filter(c -> c.socket != null && c.closedAtMillis < 0).count());
            row.put("closed_by_sluice", closedAt.size());
            row.put("first_closed_s", closedAt.isEmpty() ? null : closedAt.get(0) / 1000.0);
            row.put("median_closed_s", closedAt.isEmpty() ? null : closedAt.get(closedAt.size() / 2) / 1000.0);
            row.put("answers", ofKind.stream().filter(c -> c.answer != null).map(c -> c.answer).distinct().toList());
            row.put("bytes_moved", ofKind.stream().mapToLong(c -> c.bytesMoved).sum());
            byKind.put(kind.name().toLowerCase(), row);
        }
        result.put("by_kind", byKind);
        for (SlowConnection connection : slow) {
            connection.close();
        }
        result.put("probe_after", Probe.run(port, quiet));
        System.out.println(new ObjectMapper().writeValueAsString(result));
        System.exit(0);
    }

    /** Every interval, one byte for each slow connection still open, until the attack ends. */
    private static void tick(List<SlowConnection> slow, long intervalMillis, long endNanos) {
        long startNanos = System.nanoTime();
        while (System.nanoTime() < endNanos) {
            for (SlowConnection connection : slow) {
                connection.step((System.nanoTime() - startNanos) / 1_000_000);
            }
            try {
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
