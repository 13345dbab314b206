package dev.sluice.jmh;

import dev.sluice.api.RequestLog;
import dev.sluice.api.UsageCounters;
import dev.sluice.config.SluiceSettings;
import dev.sluice.limit.RateLimiter;
import dev.sluice.limit.memory.InMemoryBucketStore;
import org.jboss.logmanager.ExtLogRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static dev.sluice.jmh.BenchFixtures.MAY_2026_NANOS;

/**
 * The per-request work around the limiter that issue 20 cut (run with src/bench/jmh.sh): what the usage
 * counters do for one answered request (admitted, then its tokens: per caller, per upstream and in the
 * ledger, by day and hour), and what the request log costs the thread that ends a request: the record made
 * whole (message, MDC fields) and queued; RequestLogWriter's own thread hands it to the handlers (here one
 * that reads it as a formatter would; what a formatter and the console then do is JBoss LogManager's).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RequestPathBenchmark {

    /** One caller's requests to one upstream, counted in memory as the request path does (no flush). */
    @State(Scope.Thread)
    public static class Counters {
        UsageCounters counters;
        String callerId;

        @Setup
        public void setUp() {
            RateLimiter limiter = new RateLimiter(new InMemoryBucketStore(), () -> MAY_2026_NANOS, 0);
            counters = new UsageCounters(limiter, new SluiceSettings.Usage(Duration.ofSeconds(5), Duration.ofDays(90),
                    ZoneOffset.UTC), null);
            callerId = BenchFixtures.callerKey("loadtest-user-1").substring("caller:".length());
        }
    }

    /** The request log's logger with one handler that reads each record as a formatter would. */
    @State(Scope.Thread)
    public static class Log {
        /** What the handler read last, so that the reading is not optimized away. */
        volatile int lastRead;

        @Setup
        public void setUp() {
            org.jboss.logmanager.Logger logger = org.jboss.logmanager.Logger.getLogger("dev.sluice.request");
            logger.setLevel(Level.INFO);
            logger.setUseParentHandlers(false);
            for (Handler handler : logger.getHandlers()) {
                logger.removeHandler(handler);
            }
            logger.addHandler(new Handler() {
                @Override
                public void publish(LogRecord record) {
                    int read = record.getMessage().length();
                    if (record instanceof ExtLogRecord ext) {
                        read += ext.getMdcCopy().size();
                    }
                    lastRead = read;
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            });
        }
    }

    @Benchmark
    public void usageCountersOfOneRequest(Counters state) {
        state.counters.admitted(state.callerId, "default");
        state.counters.tokens(state.callerId, "default", 9, 12);
    }

    @Benchmark
    public void requestLogLine(Log state) {
        RequestLog log = new RequestLog("POST", "/v1/chat/completions");
        log.request("gpt-4o-mini", false);
        log.admitted(0);
        log.upstream("default");
        log.upstreamStatus(200);
        log.finish(200, null);
    }
}
