package dev.sluice.jmh;

import dev.sluice.limit.AdmissionRequest;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketPolicy;
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

import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.sluice.jmh.BenchFixtures.CALLER_DEFAULT;
import static dev.sluice.jmh.BenchFixtures.MAY_2026_NANOS;
import static dev.sluice.jmh.BenchFixtures.UPSTREAM_10K_RPM;
import static dev.sluice.jmh.BenchFixtures.UPSTREAM_KEY;
import static dev.sluice.jmh.BenchFixtures.callerKey;

/**
 * The pure GCRA math: one bucket, and one request's all-or-nothing decision over a caller's bucket
 * and the upstream key's bucket. No store, no locks. Run with src/bench/jmh.sh.
 *
 * <p>Every input is a non-final field of the state, so the JIT cannot fold the arithmetic into a
 * constant, and every result is returned, so it cannot drop it as dead code.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BucketMathBenchmark {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private BucketPolicy caller;
    private long tokens;
    private long nowNanos;
    private long maxWaitNanos;
    private long admittingTatNanos;
    private long refusingTatNanos;

    private List<BucketCharge> charges;
    private AdmissionRequest request;
    private long[] admittingTats;
    private long[] refusingTats;

    @Setup
    public void setUp() {
        caller = CALLER_DEFAULT;                       // 5 tokens, one every 200 ms
        tokens = 1;
        nowNanos = MAY_2026_NANOS;
        maxWaitNanos = 0;                              // the default: refuse rather than hold
        admittingTatNanos = nowNanos + 400 * MS;       // 2 of 5 tokens used: admits
        refusingTatNanos = nowNanos + 1000 * MS;       // all 5 used: the next token is 200 ms away

        charges = List.of(
                new BucketCharge(callerKey("loadtest-user-1"), CALLER_DEFAULT, 1),
                new BucketCharge(UPSTREAM_KEY, UPSTREAM_10K_RPM, 1));
        request = new AdmissionRequest(charges, nowNanos, maxWaitNanos);
        long upstreamTatNanos = nowNanos + 120 * UPSTREAM_10K_RPM.emissionIntervalNanos(); // 120 of 500 used
        admittingTats = new long[]{admittingTatNanos, upstreamTatNanos};
        refusingTats = new long[]{refusingTatNanos, upstreamTatNanos};
    }

    /** One bucket that has the token: the wait (0), then the TAT to store. */
    @Benchmark
    public long bucketAdmitting() {
        long waitNanos = caller.waitNanos(admittingTatNanos, tokens, nowNanos);
        return caller.chargedTatNanos(admittingTatNanos, tokens, nowNanos + waitNanos);
    }

    /** One empty bucket: the wait is all a refusal computes; nothing is charged. */
    @Benchmark
    public long bucketRefusing() {
        return caller.waitNanos(refusingTatNanos, tokens, nowNanos);
    }

    /** Caller + upstream key, both with tokens: waits, charged TATs, snapshots for the headers. */
    @Benchmark
    public AdmissionRequest.Decision decideAdmitting() {
        return request.decide(admittingTats);
    }

    /** Caller bucket empty: the refusal and the refusing bucket's snapshot. */
    @Benchmark
    public AdmissionRequest.Decision decideRefusing() {
        return request.decide(refusingTats);
    }

    /** What {@code RateLimiter.tryAcquire} builds for every request before the store sees it. */
    @Benchmark
    public AdmissionRequest newAdmissionRequest() {
        return new AdmissionRequest(charges, nowNanos, maxWaitNanos);
    }
}
