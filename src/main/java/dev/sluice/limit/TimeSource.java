package dev.sluice.limit;

import java.time.Instant;

/**
 * Wall-clock time in nanoseconds since the Unix epoch.
 *
 * <p>Bucket state is shared by every instance of Sluice, so all of them must read the same kind of
 * clock: {@link System#nanoTime()} has an arbitrary origin per JVM and cannot be used here.
 */
@FunctionalInterface
public interface TimeSource {

    /** Nanoseconds since 1970-01-01T00:00:00Z; fits a long until the year 2262. */
    long nowNanos();

    /** The system wall clock, at the best precision the JVM offers (microseconds on Linux). */
    static TimeSource system() {
        return () -> {
            Instant now = Instant.now();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        };
    }
}
