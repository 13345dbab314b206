package dev.sluice.jmh;

import dev.sluice.limit.Admission;
import dev.sluice.limit.AdmissionRequest;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.memory.InMemoryBucketStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.sluice.jmh.BenchFixtures.MAY_2026_NANOS;
import static dev.sluice.jmh.BenchFixtures.OUT_OF_REACH;
import static dev.sluice.jmh.BenchFixtures.UPSTREAM_KEY;
import static dev.sluice.jmh.BenchFixtures.callerKey;

/**
 * One operation of the in-memory store, {@link InMemoryBucketStore#acquire}, for a request that
 * charges a caller's bucket and the shared upstream key's bucket, as {@code AdmissionGate} does.
 * Run with src/bench/jmh.sh.
 *
 * <p>Each operation builds its {@link AdmissionRequest} (the record holds its moment, so it cannot
 * be reused while time advances); {@code BucketMathBenchmark.newAdmissionRequest} measures that part
 * alone. Each thread's clock advances {@link #STEP_NANOS} per operation and the limits are far out of
 * reach, so every operation is an admission; a tear-down check fails the run if one was not.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class InMemoryStoreBenchmark {

    /** Time between two operations of one thread, on its own clock. */
    static final long STEP_NANOS = 1_000;

    /** (a) One caller and the upstream key, on a store of its own. */
    @State(Scope.Thread)
    public static class OneCaller {
        InMemoryBucketStore store;
        List<BucketCharge> charges;
        long nowNanos;

        @Setup
        public void setUp() {
            store = new InMemoryBucketStore();
            charges = charges(callerKey("loadtest-user-1"));
            nowNanos = MAY_2026_NANOS;
        }

        @TearDown
        public void checkStillAdmitting() {
            requireAdmitted(store.acquire(new AdmissionRequest(charges, nowNanos, 0)));
        }
    }

    /** (b) Many callers in turn, all sharing the upstream key, on a store of their own. */
    @State(Scope.Thread)
    public static class ManyCallers {
        @Param("10000")
        int callers;

        InMemoryBucketStore store;
        List<List<BucketCharge>> chargesByCaller;
        int next;
        long nowNanos;

        @Setup
        public void setUp() {
            store = new InMemoryBucketStore();
            chargesByCaller = new ArrayList<>(callers);
            for (int i = 1; i <= callers; i++) {
                chargesByCaller.add(charges(callerKey("loadtest-user-" + i)));
            }
            nowNanos = MAY_2026_NANOS;
        }

        List<BucketCharge> nextCharges() {
            next = next + 1 == callers ? 0 : next + 1;
            return chargesByCaller.get(next);
        }

        @TearDown
        public void checkStillAdmitting() {
            requireAdmitted(store.acquire(new AdmissionRequest(nextCharges(), nowNanos, 0)));
            if (store.size() != callers + 1) {
                throw new IllegalStateException("expected " + (callers + 1) + " buckets, the store holds "
                        + store.size());
            }
        }
    }

    /** (c) One store and one caller shared by every benchmark thread. */
    @State(Scope.Benchmark)
    public static class SharedStore {
        InMemoryBucketStore store;
        List<BucketCharge> charges;

        @Setup
        public void setUp() {
            store = new InMemoryBucketStore();
            charges = charges(callerKey("loadtest-user-1"));
        }

        @TearDown
        public void checkStillAdmitting() {
            requireAdmitted(store.acquire(new AdmissionRequest(charges, MAY_2026_NANOS, 0)));
        }
    }

    /** A thread's own clock: threads read the wall clock independently, so no shared counter. */
    @State(Scope.Thread)
    public static class ThreadClock {
        long nowNanos = MAY_2026_NANOS;
    }

    @Benchmark
    public Admission oneCaller(OneCaller state) {
        state.nowNanos += STEP_NANOS;
        return state.store.acquire(new AdmissionRequest(state.charges, state.nowNanos, 0));
    }

    @Benchmark
    public Admission manyCallers(ManyCallers state) {
        state.nowNanos += STEP_NANOS;
        return state.store.acquire(new AdmissionRequest(state.nextCharges(), state.nowNanos, 0));
    }

    /** Two threads on the same two keys: every operation competes for both cell locks. */
    @Benchmark
    @Threads(2)
    public Admission contended(SharedStore shared, ThreadClock clock) {
        clock.nowNanos += STEP_NANOS;
        return shared.store.acquire(new AdmissionRequest(shared.charges, clock.nowNanos, 0));
    }

    private static List<BucketCharge> charges(String callerKey) {
        return List.of(new BucketCharge(callerKey, OUT_OF_REACH, 1), new BucketCharge(UPSTREAM_KEY, OUT_OF_REACH, 1));
    }

    private static void requireAdmitted(Admission admission) {
        if (!(admission instanceof Admission.Admitted)) {
            throw new IllegalStateException("a bucket ran out, so the benchmark measured refusals: " + admission);
        }
    }
}
