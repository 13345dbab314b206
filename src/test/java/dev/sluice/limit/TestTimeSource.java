package dev.sluice.limit;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** A clock that moves only when a test moves it. Starts at 2026-01-01T00:00:00Z. */
public final class TestTimeSource implements TimeSource {

    public static final long START_NANOS = TimeUnit.SECONDS.toNanos(Instant.parse("2026-01-01T00:00:00Z").getEpochSecond());

    private volatile long nowNanos = START_NANOS;

    @Override
    public long nowNanos() {
        return nowNanos;
    }

    public void advanceNanos(long nanos) {
        nowNanos += nanos;
    }

    public void advanceMillis(long millis) {
        advanceNanos(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    public void advanceSeconds(long seconds) {
        advanceNanos(TimeUnit.SECONDS.toNanos(seconds));
    }

    /** Nanoseconds since {@link #START_NANOS}; handy in assertions. */
    public long elapsedNanos() {
        return nowNanos - START_NANOS;
    }
}
