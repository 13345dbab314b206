package dev.sluice.sim;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** A monotonic clock that moves only when a test moves it; starts at an arbitrary 1000 s. */
final class TestNanoClock implements LongSupplier {

    private volatile long nowNanos = TimeUnit.SECONDS.toNanos(1000);

    @Override
    public long getAsLong() {
        return nowNanos;
    }

    void advanceNanos(long nanos) {
        nowNanos += nanos;
    }

    void advanceMillis(long millis) {
        advanceNanos(TimeUnit.MILLISECONDS.toNanos(millis));
    }
}
