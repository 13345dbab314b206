package dev.sluice.api;

import dev.sluice.limit.TestTimeSource;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** When a stopping instance starts refusing new requests; the whole stop is GracefulShutdownIT's. */
class ShutdownRefusalTest {

    final TestTimeSource clock = new TestTimeSource();

    @Test
    void withoutADelayRefusesFromTheSignalOn() {
        ShutdownRefusal refusal = new ShutdownRefusal(clock, Optional.empty());
        assertThat(refusal.refusing()).isFalse();

        clock.advanceSeconds(3600); // t=1h: running long is no reason to refuse
        assertThat(refusal.refusing()).isFalse();

        refusal.stopping(new ShutdownDelayInitiatedEvent()); // SIGTERM at t=1h
        assertThat(refusal.refusing()).isTrue();
    }

    @Test
    void withADelayServesUntilItIsOver() {
        ShutdownRefusal refusal = new ShutdownRefusal(clock, Optional.of(Duration.ofSeconds(5)));

        refusal.stopping(new ShutdownDelayInitiatedEvent()); // SIGTERM at t=0
        clock.advanceMillis(4999); // t=4.999 s: the platform may still be routing here
        assertThat(refusal.refusing()).isFalse();

        clock.advanceMillis(1); // t=5 s
        assertThat(refusal.refusing()).isTrue();
    }
}
