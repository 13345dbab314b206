package dev.sluice.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the clients saw, per target: outcomes of attempts per second, and latencies of logical
 * requests (first attempt to final answer, retries and their waits included).
 */
final class Recorder {

    static final int OK = 0;
    static final int RATE_LIMITED = 1;
    static final int ERROR = 2;

    private final int targets;
    private final int seconds;
    private final long startNanos;
    private final AtomicLongArray perSecond; // [target][second][outcome]
    private final List<List<Long>> latencyMicros = new ArrayList<>();
    /** Latencies of the requests that finished in each second, all targets together. */
    private final List<List<Long>> latencyMicrosBySecond = new ArrayList<>();
    final LongAdder requests = new LongAdder();
    final LongAdder ok = new LongAdder();
    final LongAdder rateLimitedResponses = new LongAdder();
    final LongAdder failedAfterRetries = new LongAdder();
    final LongAdder otherErrors = new LongAdder();
    /** When the first and the last erroneous answer came, in ms since the start; -1 while none did. */
    final AtomicLong firstErrorAtMillis = new AtomicLong(-1);
    final AtomicLong lastErrorAtMillis = new AtomicLong(-1);

    Recorder(int targets, int seconds, long startNanos) {
        this.targets = targets;
        this.seconds = seconds;
        this.startNanos = startNanos;
        this.perSecond = new AtomicLongArray(targets * seconds * 3);
        for (int i = 0; i < targets; i++) {
            latencyMicros.add(new ArrayList<>());
        }
        for (int i = 0; i < seconds; i++) {
            latencyMicrosBySecond.add(new ArrayList<>());
        }
    }

    void attempt(int target, int outcome, long atNanos) {
        int second = (int) Math.min(seconds - 1, Math.max(0, (atNanos - startNanos) / 1_000_000_000L));
        perSecond.incrementAndGet((target * seconds + second) * 3 + outcome);
        if (outcome == RATE_LIMITED) {
            rateLimitedResponses.increment();
        } else if (outcome == ERROR) {
            long atMillis = (atNanos - startNanos) / 1_000_000L;
            firstErrorAtMillis.accumulateAndGet(atMillis, (was, now) -> was < 0 ? now : Math.min(was, now));
            lastErrorAtMillis.accumulateAndGet(atMillis, Math::max);
        }
    }

    void finished(int target, int finalOutcome, long latencyNanos) {
        switch (finalOutcome) {
            case OK -> ok.increment();
            case RATE_LIMITED -> failedAfterRetries.increment();
            default -> otherErrors.increment();
        }
        List<Long> latencies = latencyMicros.get(target);
        synchronized (latencies) {
            latencies.add(latencyNanos / 1000);
        }
        int second = (int) Math.min(seconds - 1, Math.max(0, (System.nanoTime() - startNanos) / 1_000_000_000L));
        List<Long> inSecond = latencyMicrosBySecond.get(second);
        synchronized (inSecond) {
            inSecond.add(latencyNanos / 1000);
        }
    }

    /** The p99 latency in milliseconds of the requests that finished in each second up to {@code lastSecond}. */
    List<Double> p99MillisBySecond(int lastSecond) {
        List<Double> result = new ArrayList<>();
        for (int second = 0; second <= Math.min(lastSecond, seconds - 1); second++) {
            List<Long> inSecond = latencyMicrosBySecond.get(second);
            long[] sorted;
            synchronized (inSecond) {
                sorted = inSecond.stream().mapToLong(Long::longValue).toArray();
            }
            Arrays.sort(sorted);
            result.add(percentile(sorted, 0.99));
        }
        return result;
    }

    /** p50, p90, p99 and max in milliseconds, over one target or (target -1) all of them. */
    Map<String, Double> percentilesMillis(int target) {
        List<Long> all = new ArrayList<>();
        for (int i = 0; i < targets; i++) {
            if (target < 0 || target == i) {
                synchronized (latencyMicros.get(i)) {
                    all.addAll(latencyMicros.get(i));
                }
            }
        }
        long[] sorted = all.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        Map<String, Double> result = new LinkedHashMap<>();
        result.put("p50", percentile(sorted, 0.50));
        result.put("p90", percentile(sorted, 0.90));
        result.put("p99", percentile(sorted, 0.99));
        result.put("max", sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1000.0);
        return result;
    }

    static double percentile(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1000.0;
    }

    /** CSV rows {@code second,target,ok,rate_limited,errors} up to {@code lastSecond}. */
    List<String> seriesCsv(int lastSecond) {
        List<String> rows = new ArrayList<>();
        rows.add("second,target,ok,rate_limited,errors");
        for (int second = 0; second <= Math.min(lastSecond, seconds - 1); second++) {
            for (int target = 0; target < targets; target++) {
                int base = (target * seconds + second) * 3;
                rows.add(second + "," + target + "," + perSecond.get(base) + "," + perSecond.get(base + 1) + ","
                        + perSecond.get(base + 2));
            }
        }
        return rows;
    }

    long attempts(int target, int outcome) {
        long total = 0;
        for (int second = 0; second < seconds; second++) {
            total += perSecond.get((target * seconds + second) * 3 + outcome);
        }
        return total;
    }
}
