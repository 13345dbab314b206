package dev.sluice.upstream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FailureWitnessesTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void oneCallersFailuresNeverCountHoweverMany() {
        FailureWitnesses witnesses = new FailureWitnesses(2);
        for (int i = 0; i < 1000; i++) {
            assertThat(witnesses.counts("poison", i * SECOND / 100)).isFalse();
        }
    }

    @Test
    void onceASecondCallerFailsEveryFailureCounts() {
        FailureWitnesses witnesses = new FailureWitnesses(2);
        assertThat(witnesses.counts("a", 0)).isFalse();
        assertThat(witnesses.counts("b", SECOND)).isTrue();
        assertThat(witnesses.counts("a", 2 * SECOND)).isTrue();
        assertThat(witnesses.counts("a", 3 * SECOND)).isTrue();
    }

    @Test
    void aFailureOlderThanTheWindowIsNoLongerEvidence() {
        FailureWitnesses witnesses = new FailureWitnesses(2);
        witnesses.counts("a", 0);
        assertThat(witnesses.counts("b", FailureWitnesses.WINDOW_NANOS)).as("a's failure is a minute old").isFalse();
        assertThat(witnesses.counts("a", FailureWitnesses.WINDOW_NANOS + SECOND)).isTrue();
    }

    @Test
    void aFloodOfOneCallersFailuresPushesOthersOutOfMemoryButNeverCountsAlone() {
        FailureWitnesses witnesses = new FailureWitnesses(2);
        witnesses.counts("a", 0);
        for (int i = 0; i < FailureWitnesses.MAX_REMEMBERED; i++) {
            witnesses.counts("poison", SECOND);
        }
        assertThat(witnesses.counts("poison", SECOND)).isFalse();
    }

    @Test
    void oneCallerEnoughCountsEveryFailureAsBefore() {
        FailureWitnesses witnesses = new FailureWitnesses(1);
        assertThat(witnesses.counts("a", 0)).isTrue();
        assertThatThrownBy(() -> new FailureWitnesses(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
