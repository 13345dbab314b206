package dev.sluice.api;

import dev.sluice.limit.TimeSource;
import io.quarkus.test.junit.QuarkusTestProfile;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Set;

/**
 * Sluice on the system clock, for the few tests that must run in real time: a real client waits the
 * {@code retry-after-ms} it is told by its own timers, and its retry finds a token only if Sluice's
 * buckets refilled meanwhile, which {@link TestClock} (standing still) never lets happen. Selected only
 * by a profile that enables it ({@link Profile}); Quarkus ranks an alternative selected that way above
 * every {@code @Priority} one, so it replaces {@link TestClock} there and nowhere else.
 */
@ApplicationScoped
@Alternative // a profile may enable only a class that is an alternative itself: its producer is one with it
public class WallClock {

    @Produces
    @Singleton
    @Alternative
    TimeSource timeSource() {
        return TimeSource.system();
    }

    /** Extend it (or return {@link WallClock} from {@code getEnabledAlternatives}) to run a test class in real time. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(WallClock.class);
        }
    }
}
