package dev.sluice.sim;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The bucket math on its own, with time passed in by hand. */
class KeyLimiterTest {

    private static final long T0 = TimeUnit.SECONDS.toNanos(1000);

    @Test
    void refillsContinuouslyAndNeverBeyondTheCapacity() {
        KeyLimiter limiter = new KeyLimiter(600, 1.0, 0, 60.0, T0); // 10/s, capacity 10
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.tryAcquire(1, T0).admitted()).isTrue();
        }
        LimitDecision refused = limiter.tryAcquire(1, T0);
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.retryAfterNanos()).isEqualTo(100_000_000); // one token at 10/s
        assertThat(refused.requests().nanosUntilFull()).isEqualTo(1_000_000_000);

        assertThat(limiter.tryAcquire(1, T0 + 250_000_000).requests().remaining()).isEqualTo(1); // t=250 ms: 2.5 refilled, 1 taken
        LimitDecision afterIdle = limiter.tryAcquire(1, T0 + TimeUnit.HOURS.toNanos(10)); // t=10 h: long idle
        assertThat(afterIdle.requests().remaining()).isEqualTo(9);
    }

    @Test
    void bucketSecondsSetTheDepthAndTheDepthIsAtLeastOne() {
        assertThat(new KeyLimiter(600, 3.0, 0, 60.0, T0).tryAcquire(1, T0).requests().remaining()).isEqualTo(29);
        assertThat(new KeyLimiter(6, 1.0, 0, 60.0, T0).tryAcquire(1, T0).requests().nanosUntilFull())
                .isEqualTo(TimeUnit.SECONDS.toNanos(10)); // 0.1/s: capacity 1, refilled in 10 s
    }

    @Test
    void requestsAreHeldToASecondWhileOneRequestMayTakeAWholeMinuteOfTokens() {
        KeyLimiter limiter = new KeyLimiter(600, 1.0, 60_000, 60.0, T0); // 10 requests at once, 60,000 tokens at once

        LimitDecision whole = limiter.tryAcquire(60_000, T0);
        assertThat(whole.admitted()).isTrue();
        assertThat(whole.requests().remaining()).isEqualTo(9);
        assertThat(whole.tokens().remaining()).isZero();
        LimitDecision next = limiter.tryAcquire(1_000, T0 + TimeUnit.MILLISECONDS.toNanos(500)); // t=0.5 s: 500 refilled
        assertThat(next.admitted()).isFalse();
        assertThat(next.limitType()).isEqualTo("tokens");
        assertThat(next.retryAfterNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(limiter.tryAcquire(60_001, T0).tooLarge()).isTrue(); // more than a minute's worth: never
    }

    @Test
    void aCorrectionGivesTokensBackUpToFullOrTakesMoreIntoDebt() {
        KeyLimiter limiter = new KeyLimiter(0, 1.0, 60_000, 60.0, T0);
        limiter.tryAcquire(10_000, T0);

        limiter.correctTokens(-9_000, T0); // used 1,000 of 10,000
        assertThat(limiter.tryAcquire(0, T0).tokens().remaining()).isEqualTo(59_000);
        limiter.correctTokens(-5_000, T0); // never beyond full
        assertThat(limiter.tryAcquire(0, T0).tokens().remaining()).isEqualTo(60_000);
        limiter.correctTokens(70_000, T0); // 10,000 in debt
        LimitDecision inDebt = limiter.tryAcquire(1, T0);
        assertThat(inDebt.admitted()).isFalse();
        assertThat(inDebt.retryAfterNanos()).isEqualTo(TimeUnit.SECONDS.toNanos(10) + TimeUnit.MILLISECONDS.toNanos(1));
    }

    @Test
    void fillStartsAgainFromFull() {
        KeyLimiter limiter = new KeyLimiter(60, 1.0, 6000, 1.0, T0);
        assertThat(limiter.tryAcquire(100, T0).admitted()).isTrue();

        limiter.fill(T0);

        LimitDecision decision = limiter.tryAcquire(100, T0);
        assertThat(decision.admitted()).isTrue();
        assertThat(decision.tokens().remaining()).isZero();
    }

    @Test
    void unlimitedMeansNoBucket() {
        LimitDecision decision = new KeyLimiter(0, 1.0, 0, 60.0, T0).tryAcquire(Long.MAX_VALUE / 2, T0);

        assertThat(decision.admitted()).isTrue();
        assertThat(decision.requests()).isNull();
        assertThat(decision.tokens()).isNull();
    }
}
