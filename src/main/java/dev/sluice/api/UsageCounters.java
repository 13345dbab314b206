package dev.sluice.api;

import dev.sluice.config.SluiceSettings;
import dev.sluice.ledger.LedgerKeys;
import dev.sluice.ledger.Period;
import dev.sluice.limit.CounterIncrement;
import dev.sluice.limit.RateLimiter;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Usage per caller and per upstream per day (requests admitted, requests refused, prompt and
 * completion tokens; for an upstream, every attempt sent to it counts as a request), kept in the
 * store under keys such as {@code usage:caller:<id>:day:2026-11-28:prompt_tokens} and
 * {@code usage:upstream:<name>:day:2026-11-28:requests}; and the usage ledger the usage API reads
 * ({@link LedgerKeys}): per key, upstream and day, and per hour, what was sent and refused.
 *
 * <p>Counting happens in memory and is written to the store every flush interval, in a few large
 * settlements, so that statistics cost no round trip on the request path. A flush that fails is
 * added back and tried again; an instance that dies loses at most one interval of counts.
 */
@Singleton
public class UsageCounters {

    private static final Logger LOG = Logger.getLogger("dev.sluice.store");
    /** Counters per settlement: well under the wire format's limit, so one flush is a few round trips. */
    private static final int BATCH = 256;
    /** How long hourly counters are kept: the longest hourly query (7 days) and today. */
    public static final Duration HOURLY_RETENTION = Duration.ofDays(8);

    private final RateLimiter limiter;
    private final SluiceSettings.Usage settings;
    private final Vertx vertx;
    /**
     * What each counter gained since the last flush, by a small record naming it: the request path
     * builds no store key (their strings are made at flush, once per counter, not per request).
     */
    private final ConcurrentHashMap<Counter, LongAdder> pending = new ConcurrentHashMap<>();
    /** The periods now, worked out at most once a minute rather than for each request. */
    private volatile Periods now = new Periods(Long.MIN_VALUE, null, null);

    private record Periods(long minute, Period day, Period hour) {
    }

    /** One counter of the store; its key, its period and how long the store keeps it. */
    private sealed interface Counter {
        Period period();

        String storeKey();
    }

    /** A daily counter of a caller or an upstream: {@code usage:<kind>:<name>:day:<date>:<field>}. */
    private record Daily(String kind, String name, Period period, String field) implements Counter {
        @Override
        public String storeKey() {
            return key(kind + ":" + name, period.label(), field);
        }
    }

    /** The ledger's count of what a key sent to an upstream in a period. */
    private record Sent(String keyId, String upstream, Period period, String field) implements Counter {
        @Override
        public String storeKey() {
            return LedgerKeys.sent(keyId, upstream, period, field);
        }
    }

    /** The ledger's count of a key's refusals by one limit in a period. */
    private record Refused(String keyId, Period period, String scope) implements Counter {
        @Override
        public String storeKey() {
            return LedgerKeys.refused(keyId, period, scope);
        }
    }

    /** The ledger's mark that a key was seen in a period. */
    private record Seen(String keyId, Period period) implements Counter {
        @Override
        public String storeKey() {
            return LedgerKeys.seen(keyId, period);
        }
    }

    private static final String CALLER = "caller";
    private static final String UPSTREAM = "upstream";
    private volatile long timerId = -1;

    @Inject
    public UsageCounters(RateLimiter limiter, SluiceSettings settings, Vertx vertx) {
        this(limiter, settings.usage(), vertx);
    }

    /** @param vertx runs the periodic flush once started; unused by a bench that flushes itself */
    public UsageCounters(RateLimiter limiter, SluiceSettings.Usage settings, Vertx vertx) {
        this.limiter = limiter;
        this.settings = settings;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        long intervalMillis = Math.max(1, settings.flushInterval().toMillis());
        timerId = vertx.setPeriodic(intervalMillis, id -> flush());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        try {
            flush().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("Usage counters not written at shutdown: %s", e.getMessage());
        }
    }

    public void admitted(String callerId, String upstream) {
        Periods periods = periods();
        add(new Daily(CALLER, callerId, periods.day(), "requests"), 1);
        add(new Daily(UPSTREAM, upstream, periods.day(), "requests"), 1);
        sent(periods, callerId, upstream, LedgerKeys.REQUESTS, 1);
    }

    /**
     * A retry sent to {@code upstream}: a request for it, not for the caller, who asked once; in the
     * ledger, a request the caller's key sent to that upstream (what the upstream counted).
     */
    public void retried(String callerId, String upstream) {
        Periods periods = periods();
        add(new Daily(UPSTREAM, upstream, periods.day(), "requests"), 1);
        sent(periods, callerId, upstream, LedgerKeys.REQUESTS, 1);
    }

    /**
     * Answered from the reply cache: in the daily counters a cached request of the caller's, in the ledger a
     * request (and the reply's tokens) sent to {@value #CACHE_UPSTREAM}, so that the usage report shows what
     * the cache served beside what each upstream did.
     */
    public void cached(String callerId, long promptTokens, long completionTokens) {
        Periods periods = periods();
        add(new Daily(CALLER, callerId, periods.day(), "cached"), 1);
        sent(periods, callerId, CACHE_UPSTREAM, LedgerKeys.REQUESTS, 1);
        sent(periods, callerId, CACHE_UPSTREAM, LedgerKeys.PROMPT_TOKENS, promptTokens);
        sent(periods, callerId, CACHE_UPSTREAM, LedgerKeys.COMPLETION_TOKENS, completionTokens);
    }

    /** The usage ledger's name for the reply cache, where an upstream's would be. */
    public static final String CACHE_UPSTREAM = "cache";

    /** Refused by Sluice's limit {@code scope} (its id, as the 429 names it). */
    public void refused(String callerId, String scope) {
        Periods periods = periods();
        add(new Daily(CALLER, callerId, periods.day(), "refusals"), 1);
        for (Period period : List.of(periods.day(), periods.hour())) {
            add(new Refused(callerId, period, scope), 1);
            add(new Seen(callerId, period), 1);
        }
    }

    public void tokens(String callerId, String upstream, long promptTokens, long completionTokens) {
        Periods periods = periods();
        add(new Daily(CALLER, callerId, periods.day(), "prompt_tokens"), promptTokens);
        add(new Daily(CALLER, callerId, periods.day(), "completion_tokens"), completionTokens);
        add(new Daily(UPSTREAM, upstream, periods.day(), "prompt_tokens"), promptTokens);
        add(new Daily(UPSTREAM, upstream, periods.day(), "completion_tokens"), completionTokens);
        sent(periods, callerId, upstream, LedgerKeys.PROMPT_TOKENS, promptTokens);
        sent(periods, callerId, upstream, LedgerKeys.COMPLETION_TOKENS, completionTokens);
    }

    /** Adds to the ledger's counters of what a key sent to an upstream, this day and this hour, and marks the key seen in both. */
    private void sent(Periods periods, String keyId, String upstream, String field, long amount) {
        if (amount <= 0) {
            return;
        }
        add(new Sent(keyId, upstream, periods.day(), field), amount);
        add(new Seen(keyId, periods.day()), 1);
        add(new Sent(keyId, upstream, periods.hour(), field), amount);
        add(new Seen(keyId, periods.hour()), 1);
    }

    private Periods periods() {
        long nowNanos = limiter.nowNanos();
        long minute = Math.floorDiv(nowNanos, 60_000_000_000L);
        Periods current = now;
        if (current.minute() != minute) {
            Instant at = Instant.ofEpochSecond(minute * 60);
            current = new Periods(minute, Period.dayOf(at, settings.zone()), Period.hourOf(at, settings.zone()));
            now = current;
        }
        return current;
    }

    /** The store key of one counter: {@code usage:<owner>:day:<date>:<field>}. */
    public static String key(String owner, String day, String field) {
        return "usage:" + owner + ":day:" + day + ":" + field;
    }

    /** Today's date in the usage zone, as counter keys name it. */
    public String today() {
        return periods().day().label();
    }

    /** Writes every pending count to the store; completes when all batches are written (or failed and put back). */
    public CompletableFuture<Void> flush() {
        List<CounterIncrement> increments = new ArrayList<>();
        List<Counter> counted = new ArrayList<>();
        Periods current = periods();
        for (Map.Entry<Counter, LongAdder> entry : pending.entrySet()) {
            long amount = entry.getValue().sumThenReset();
            Counter counter = entry.getKey();
            if (amount > 0) {
                increments.add(new CounterIncrement(counter.storeKey(), amount, retentionOf(counter.period())));
                counted.add(counter);
            } else if (!counter.period().equals(current.day()) && !counter.period().equals(current.hour())) {
                pending.remove(counter, entry.getValue()); // a past day's or hour's counter, done with
            }
        }
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int from = 0; from < increments.size(); from += BATCH) {
            int first = from;
            List<CounterIncrement> batch = increments.subList(from, Math.min(increments.size(), from + BATCH));
            writes.add(limiter.settle(List.of(), batch).toCompletableFuture().handle((ignored, failure) -> {
                if (failure != null) {
                    for (int i = 0; i < batch.size(); i++) {
                        add(counted.get(first + i), batch.get(i).amount());
                    }
                    LOG.debugf("Usage counters not written, kept for the next flush: %s", failure.getMessage());
                }
                return null;
            }));
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    private void add(Counter counter, long amount) {
        if (amount > 0) {
            LongAdder adder = pending.get(counter);
            (adder != null ? adder : pending.computeIfAbsent(counter, ignored -> new LongAdder())).add(amount);
        }
    }

    private long retentionOf(Period period) {
        return (period.granularity() == Period.Granularity.HOUR ? HOURLY_RETENTION : settings.retention()).toNanos();
    }
}
