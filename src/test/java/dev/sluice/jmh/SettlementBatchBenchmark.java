package dev.sluice.jmh;

import dev.sluice.limit.AdmissionCodec;
import dev.sluice.limit.BucketAdjustment;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.Rate;
import dev.sluice.limit.Settlement;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.sluice.jmh.BenchFixtures.MAY_2026_NANOS;

/**
 * What one request's settlement costs the bytes on both sides of the Infinispan call, sent alone (each
 * its own Hot Rod call, before issue 20's third session) and as one of a batch of 16 (what a call carries
 * under load since): Sluice encodes it, the server task decodes it. Per settlement in both cases. The
 * round trip and the server's transaction, which batching saves most of, are not in it: the overhead
 * bench measures those (the Infinispan server's CPU a request).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SettlementBatchBenchmark {

    private static final int BATCH = 16;

    private List<Settlement> alone;
    private List<Settlement> batch;
    private byte[] aloneBytes;
    private byte[] batchBytes;

    @Setup
    public void setUp() {
        // a request of a caller on a plan with a TPM, whose reply used 48 tokens less than it reserved
        BucketPolicy plan = new BucketPolicy(1_000_000, Rate.perMinute(1_000_000));
        batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            batch.add(new Settlement(List.of(new BucketAdjustment(BenchFixtures.callerKey("loadtest-user-" + i)
                    .replace("caller:", "tokens:caller:"), plan, -48)), List.of(), MAY_2026_NANOS + i));
        }
        alone = List.of(batch.get(0));
        aloneBytes = AdmissionCodec.encodeSettlements(alone, true);
        batchBytes = AdmissionCodec.encodeSettlements(batch, true);
    }

    @Benchmark
    public byte[] encodeAlone() {
        return AdmissionCodec.encodeSettlements(alone, true);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public byte[] encodeInABatchOf16() {
        return AdmissionCodec.encodeSettlements(batch, true);
    }

    @Benchmark
    public List<Settlement> decodeAlone() {
        return AdmissionCodec.decodeSettlements(aloneBytes, () -> MAY_2026_NANOS);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<Settlement> decodeInABatchOf16() {
        return AdmissionCodec.decodeSettlements(batchBytes, () -> MAY_2026_NANOS);
    }
}
