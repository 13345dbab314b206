package dev.sluice.api;

import dev.sluice.limit.TestTimeSource;
import dev.sluice.limit.TimeSource;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Replaces the wall clock in every {@code @QuarkusTest}: time stands still unless a test moves it,
 * so no bucket refills in the middle of a test. Tests move it an hour ahead to start with full buckets.
 */
@ApplicationScoped
public class TestClock {

    public static final TestTimeSource CLOCK = new TestTimeSource();

    @Produces
    @Singleton
    @Alternative
    @Priority(1)
    TimeSource timeSource() {
        return CLOCK;
    }

    /** Every bucket of every test before is full again. */
    public static void refillEverything() {
        CLOCK.advanceSeconds(24 * 3600);
    }
}
