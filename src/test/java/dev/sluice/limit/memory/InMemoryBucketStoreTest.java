package dev.sluice.limit.memory;

import dev.sluice.limit.AdmissionRequest;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.BucketStore;
import dev.sluice.limit.BucketStoreContractTest;
import dev.sluice.limit.Rate;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryBucketStoreTest extends BucketStoreContractTest {

    private final InMemoryBucketStore memory = new InMemoryBucketStore();

    @Override
    protected BucketStore createStore() {
        return memory;
    }

    @Test
    void sweepsBucketsThatHaveBeenFullForAWhileSoCallersDoNotPileUp() {
        BucketPolicy policy = new BucketPolicy(5, Rate.perSecond(5)); // full again 200 ms after one request
        for (int caller = 0; caller < 1000; caller++) {
            memory.acquire(new AdmissionRequest(
                    List.of(new BucketCharge("caller:" + caller, policy, 1)), clock.nowNanos(), 0));
        }
        assertThat(memory.size()).isEqualTo(1000);

        clock.advanceNanos(InMemoryBucketStore.SWEEP_INTERVAL_NANOS + TimeUnit.SECONDS.toNanos(1));
        memory.acquire(new AdmissionRequest( // the first request after the interval sweeps
                List.of(new BucketCharge("caller:new", policy, 1)), clock.nowNanos(), 0));

        assertThat(memory.size()).isEqualTo(1);
    }

    @Test
    void keepsBucketsThatAreNotFullAcrossASweep() {
        BucketPolicy slow = new BucketPolicy(1, Rate.perHour(1));
        BucketCharge charge = new BucketCharge("caller:slow", slow, 1);
        assertThat(memory.acquire(new AdmissionRequest(List.of(charge), clock.nowNanos(), 0)))
                .isInstanceOf(dev.sluice.limit.Admission.Admitted.class);

        clock.advanceNanos(InMemoryBucketStore.SWEEP_INTERVAL_NANOS * 2); // t=2 min: swept? no, refills at 1 h
        assertThat(memory.acquire(new AdmissionRequest(List.of(charge), clock.nowNanos(), 0)))
                .isInstanceOf(dev.sluice.limit.Admission.Refused.class);
    }
}
