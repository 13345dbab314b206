package dev.sluice.api;

import dev.sluice.config.SluiceSettings;
import dev.sluice.limit.CounterIncrement;
import dev.sluice.limit.RateLimiter;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.LocalDate;
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
 * {@code usage:upstream:<name>:day:2026-11-28:requests}.
 *
 * <p>Counting happens in memory and is written to the store every flush interval, in a few large
 * settlements, so that statistics cost no round trip on the request path. A flush that fails is
 * added back and tried again; an instance that dies loses at most one interval of counts.
 */
@ApplicationScoped
public class UsageCounters {

    private static final Logger LOG = Logger.getLogger("dev.sluice.store");
    /** Counters per settlement: well under the wire format's limit, so one flush is a few round trips. */
    private static final int BATCH = 256;

    private final RateLimiter limiter;
    private final SluiceSettings.Usage settings;
    private final Vertx vertx;
    private final ConcurrentHashMap<String, LongAdder> pending = new ConcurrentHashMap<>();
    private volatile long timerId = -1;

    @Inject
    public UsageCounters(RateLimiter limiter, SluiceSettings settings, Vertx vertx) {
        this.limiter = limiter;
        this.settings = settings.usage();
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
        String day = today();
        add(key("caller:" + callerId, day, "requests"), 1);
        add(key("upstream:" + upstream, day, "requests"), 1);
    }

    /** A retry sent to {@code upstream}: a request for it, not for the caller, who asked once. */
    public void retried(String upstream) {
        add(key("upstream:" + upstream, today(), "requests"), 1);
    }

    public void refused(String callerId) {
        add(key("caller:" + callerId, today(), "refusals"), 1);
    }

    public void tokens(String callerId, String upstream, long promptTokens, long completionTokens) {
        String day = today();
        add(key("caller:" + callerId, day, "prompt_tokens"), promptTokens);
        add(key("caller:" + callerId, day, "completion_tokens"), completionTokens);
        add(key("upstream:" + upstream, day, "prompt_tokens"), promptTokens);
        add(key("upstream:" + upstream, day, "completion_tokens"), completionTokens);
    }

    /** The store key of one counter: {@code usage:<owner>:day:<date>:<field>}. */
    public static String key(String owner, String day, String field) {
        return "usage:" + owner + ":day:" + day + ":" + field;
    }

    /** Today's date in the usage zone, as counter keys name it. */
    public String today() {
        long now = limiter.nowNanos();
        return LocalDate.ofInstant(Instant.ofEpochSecond(Math.floorDiv(now, 1_000_000_000L)), settings.zone()).toString();
    }

    /** Writes every pending count to the store; completes when all batches are written (or failed and put back). */
    public CompletableFuture<Void> flush() {
        List<CounterIncrement> increments = new ArrayList<>();
        String today = today();
        for (Map.Entry<String, LongAdder> entry : pending.entrySet()) {
            long amount = entry.getValue().sumThenReset();
            if (amount > 0) {
                increments.add(new CounterIncrement(entry.getKey(), amount, settings.retention().toNanos()));
            } else if (!entry.getKey().contains(":day:" + today + ":")) {
                pending.remove(entry.getKey(), entry.getValue()); // a past day's counter, done with
            }
        }
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int from = 0; from < increments.size(); from += BATCH) {
            List<CounterIncrement> batch = increments.subList(from, Math.min(increments.size(), from + BATCH));
            writes.add(limiter.settle(List.of(), batch).toCompletableFuture().handle((ignored, failure) -> {
                if (failure != null) {
                    batch.forEach(increment -> add(increment.key(), increment.amount()));
                    LOG.debugf("Usage counters not written, kept for the next flush: %s", failure.getMessage());
                }
                return null;
            }));
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    private void add(String key, long amount) {
        if (amount > 0) {
            pending.computeIfAbsent(key, ignored -> new LongAdder()).add(amount);
        }
    }
}
