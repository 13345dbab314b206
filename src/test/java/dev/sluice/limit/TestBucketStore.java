package dev.sluice.limit;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/** A store that decides like the in-memory one, or fails every call while {@link #failing}; counts calls. */
public final class TestBucketStore implements BucketStore {

    private final BucketStore decider = new dev.sluice.limit.memory.InMemoryBucketStore();
    private final AtomicInteger calls = new AtomicInteger();
    public volatile boolean failing;
    /** While failing: answer with an error (a lock timeout, say) instead of being unreachable. */
    public volatile boolean answeringWithErrors;
    /** While failing: answer that Sluice's cache is missing (takes precedence over the others). */
    public volatile boolean misconfigured;

    @Override
    public CompletionStage<Admission> tryAcquire(AdmissionRequest request) {
        calls.incrementAndGet();
        return failing ? CompletableFuture.failedFuture(failure()) : decider.tryAcquire(request);
    }

    @Override
    public CompletionStage<Void> settle(Settlement settlement) {
        return failing ? CompletableFuture.failedFuture(failure()) : decider.settle(settlement);
    }

    private RuntimeException failure() {
        return misconfigured ? new StoreMisconfiguredException("no cache 'x' (test)", null)
                : answeringWithErrors ? new IllegalStateException("lock not acquired in time (test)")
                : new StoreUnreachableException("connection refused (test)", null);
    }

    @Override
    public CompletionStage<Map<String, Long>> counters(Collection<String> keys) {
        if (failing) {
            return CompletableFuture.failedFuture(new StoreUnreachableException("connection refused (test)", null));
        }
        return decider.counters(keys);
    }

    public int calls() {
        return calls.get();
    }

    @Override
    public String name() {
        return "test-shared";
    }
}
