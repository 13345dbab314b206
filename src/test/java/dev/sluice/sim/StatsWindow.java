package dev.sluice.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters since the last reset (or the start). A reset replaces the whole window, so it never
 * races with counting: a request in flight at that moment lands in the old window and is dropped.
 * Every configured key is listed, with zeros until it sees a request; requests with an unknown or
 * missing key are only counted in {@code unauthorized}.
 */
final class StatsWindow {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final long startNanos;
    private final long startEpochMillis;
    private final Map<String, KeyCounters> keys = new LinkedHashMap<>();
    final LongAdder unauthorized = new LongAdder();

    StatsWindow(List<String> configuredKeys, long startNanos) {
        this.startNanos = startNanos;
        this.startEpochMillis = System.currentTimeMillis();
        configuredKeys.forEach(key -> keys.put(key, new KeyCounters()));
    }

    /** @return null for a key that is not configured */
    KeyCounters key(String key) {
        return keys.get(key);
    }

    /** Whole seconds since the window started: the index into the per-second arrays. */
    long second(long nowNanos) {
        return Math.max(0, nowNanos - startNanos) / 1_000_000_000L;
    }

    /** The simulator's clock as epoch milliseconds: the wall clock at the start plus the time since. */
    long epochMillis(long nanos) {
        return startEpochMillis + TimeUnit.NANOSECONDS.toMillis(nanos - startNanos);
    }

    String toJson(SimulatorConfig config, long nowNanos) {
        ObjectNode root = JSON.createObjectNode();
        long nowSecond = second(nowNanos);
        long fromSecond = Math.max(0, nowSecond - PerSecondCounts.SECONDS + 1);
        root.put("now_ms", epochMillis(nowNanos));
        root.put("since_ms", startEpochMillis);
        root.put("per_second_from", fromSecond);
        root.put("unauthorized", unauthorized.sum());
        ObjectNode limits = root.putObject("limits");
        limits.put("rpm", config.requestsPerMinute());
        limits.put("tpm", config.tokensPerMinute());
        limits.put("rpm_bucket_seconds", config.requestBucketSeconds());
        limits.put("tpm_bucket_seconds", config.tokenBucketSeconds());
        limits.put("token_accounting", config.tokenAccounting().name().toLowerCase(java.util.Locale.ROOT));
        ObjectNode keyNodes = root.putObject("keys");
        keys.forEach((key, counters) -> {
            ObjectNode node = keyNodes.putObject(key);
            node.put("ok", counters.ok.sum());
            node.put("rate_limited", counters.rateLimited.sum());
            node.put("server_errors", counters.serverErrors.sum());
            node.put("faults", counters.faults.sum());
            node.put("bad_requests", counters.badRequests.sum());
            node.put("prompt_tokens", counters.promptTokens.sum());
            node.put("completion_tokens", counters.completionTokens.sum());
            node.put("tokens_charged", counters.tokensCharged.sum());
            node.put("calls_before_retry_after", counters.callsBeforeRetryAfter.sum());
            node.put("most_in_flight", counters.mostInFlight.get());
            Long first = counters.firstOkNanos();
            Long last = counters.lastOkNanos();
            node.put("first_ok_ms", first == null ? null : epochMillis(first));
            node.put("last_ok_ms", last == null ? null : epochMillis(last));
            addAll(node.putArray("ok_per_second"), counters.okPerSecond.range(fromSecond, nowSecond));
            addAll(node.putArray("rate_limited_per_second"), counters.rateLimitedPerSecond.range(fromSecond, nowSecond));
        });
        return root.toString();
    }

    private static void addAll(ArrayNode array, long[] values) {
        for (long value : values) {
            array.add(value);
        }
    }
}
