package dev.sluice.limit;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The GCRA arithmetic of one bucket, driven by a hand-moved clock. "tat" is the bucket's stored
 * state; a full bucket's tat is anything at or before now.
 */
class BucketPolicyTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long S = TimeUnit.SECONDS.toNanos(1);

    private final TestTimeSource clock = new TestTimeSource();

    /** Takes one token if it fits now, like a request with max wait 0; returns the new tat or the old. */
    private long tryTake(BucketPolicy policy, long[] tat) {
        long now = clock.nowNanos();
        if (policy.waitNanos(tat[0], 1, now) == 0) {
            tat[0] = policy.chargedTatNanos(tat[0], 1, now);
            return 1;
        }
        return 0;
    }

    private long takeAllAvailable(BucketPolicy policy, long[] tat) {
        long taken = 0;
        while (tryTake(policy, tat) == 1) {
            taken++;
        }
        return taken;
    }

    @Test
    void aNewBucketIsFullAndGivesExactlyItsCapacity() {
        BucketPolicy policy = new BucketPolicy(5, Rate.perSecond(5));
        long[] tat = {Long.MIN_VALUE};

        assertThat(policy.availableTokens(tat[0], clock.nowNanos())).isEqualTo(5);
        assertThat(takeAllAvailable(policy, tat)).isEqualTo(5);
        assertThat(policy.availableTokens(tat[0], clock.nowNanos())).isZero();
        assertThat(policy.nanosUntilFull(tat[0], clock.nowNanos())).isEqualTo(1 * S);
    }

    @Test
    void refillsOneTokenPerEmissionInterval() {
        BucketPolicy policy = new BucketPolicy(5, Rate.perSecond(5)); // one token every 200 ms
        long[] tat = {Long.MIN_VALUE};
        takeAllAvailable(policy, tat);

        clock.advanceMillis(199); // t=199ms: not yet
        assertThat(policy.waitNanos(tat[0], 1, clock.nowNanos())).isEqualTo(1 * MS);
        assertThat(tryTake(policy, tat)).isZero();

        clock.advanceMillis(1); // t=200ms: one token back
        assertThat(policy.availableTokens(tat[0], clock.nowNanos())).isEqualTo(1);
        assertThat(tryTake(policy, tat)).isOne();
        assertThat(tryTake(policy, tat)).isZero();

        clock.advanceMillis(600); // t=800ms: three more
        assertThat(takeAllAvailable(policy, tat)).isEqualTo(3);
    }

    @Test
    void burstIsCappedAtCapacityAfterALongIdle() {
        BucketPolicy policy = new BucketPolicy(3, Rate.perSecond(10));
        long[] tat = {Long.MIN_VALUE};
        takeAllAvailable(policy, tat);

        clock.advanceSeconds(TimeUnit.DAYS.toSeconds(400)); // t=400 days: no more than full
        assertThat(policy.availableTokens(tat[0], clock.nowNanos())).isEqualTo(3);
        assertThat(policy.nanosUntilFull(tat[0], clock.nowNanos())).isZero();
        assertThat(takeAllAvailable(policy, tat)).isEqualTo(3);
    }

    @Test
    void aFractionalRateOfOnePerHourRefillsAfterAnHour() {
        BucketPolicy policy = new BucketPolicy(1, Rate.perHour(1));
        long[] tat = {Long.MIN_VALUE};
        assertThat(tryTake(policy, tat)).isOne();

        clock.advanceSeconds(3599); // t=59m59s
        assertThat(tryTake(policy, tat)).isZero();
        assertThat(policy.waitNanos(tat[0], 1, clock.nowNanos())).isEqualTo(1 * S);

        clock.advanceSeconds(1); // t=1h
        assertThat(tryTake(policy, tat)).isOne();
    }

    @Test
    void aRoundedIntervalNeverAdmitsMoreThanTheRate() {
        BucketPolicy policy = new BucketPolicy(1, Rate.perSecond(3)); // 333,333,334 ns per token
        long[] tat = {Long.MIN_VALUE};
        long admitted = 0;
        for (int step = 0; step < 3000; step++) { // 10 s in 3.33 ms steps
            admitted += takeAllAvailable(policy, tat);
            clock.advanceNanos(3_333_333);
        }
        // capacity + rate × 10 s is the most any token bucket of this shape may give; steps cost a little
        assertThat(admitted).isLessThanOrEqualTo(1 + 3 * 10).isGreaterThanOrEqualTo(29);
    }

    @Test
    void waitsAreMeasuredFromNowToWhenTheTokensAreDue() {
        BucketPolicy policy = new BucketPolicy(2, Rate.perSecond(10)); // 100 ms per token
        long now = clock.nowNanos();
        long tat = policy.chargedTatNanos(Long.MIN_VALUE, 2, now); // empty

        assertThat(policy.waitNanos(tat, 1, now)).isEqualTo(100 * MS);
        assertThat(policy.waitNanos(tat, 2, now)).isEqualTo(200 * MS);
        assertThat(policy.waitNanos(tat, 3, now)).isEqualTo(BucketPolicy.NEVER); // more than it holds
    }

    @Test
    void aReservationForLaterPushesTheNextOneBack() {
        BucketPolicy policy = new BucketPolicy(1, Rate.perSecond(10)); // 100 ms per token
        long now = clock.nowNanos();
        long tat = policy.chargedTatNanos(Long.MIN_VALUE, 1, now); // t=0: taken, due again at 100 ms

        long firstWait = policy.waitNanos(tat, 1, now);
        tat = policy.chargedTatNanos(tat, 1, now + firstWait); // reserved for t=100ms
        long secondWait = policy.waitNanos(tat, 1, now);

        assertThat(firstWait).isEqualTo(100 * MS);
        assertThat(secondWait).isEqualTo(200 * MS);
    }

    @Test
    void rejectsBucketsThatWouldOverflowTheArithmetic() {
        assertThatThrownBy(() -> new BucketPolicy(Long.MAX_VALUE, Rate.perHour(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than ten years to refill");
        assertThatThrownBy(() -> new BucketPolicy(100_000, Rate.perHour(1)))
                .hasMessageContaining("more than ten years to refill");
        assertThatThrownBy(() -> new BucketPolicy(0, Rate.perSecond(1)))
                .hasMessageContaining("capacity of at least 1");
    }

    @Test
    void handlesTheExtremesItAccepts() {
        // the fastest rate: one token per nanosecond, with the largest capacity ten years allow
        long capacity = BucketPolicy.MAX_BURST_TOLERANCE_NANOS;
        BucketPolicy fastest = new BucketPolicy(capacity, Rate.perSecond(1_000_000_000L));
        long now = clock.nowNanos();
        assertThat(fastest.availableTokens(Long.MIN_VALUE, now)).isEqualTo(capacity);
        long emptied = fastest.chargedTatNanos(Long.MIN_VALUE, capacity, now);
        assertThat(fastest.availableTokens(emptied, now)).isZero();
        assertThat(fastest.waitNanos(emptied, capacity, now)).isEqualTo(capacity);
        clock.advanceNanos(capacity); // ten years later: full again
        assertThat(fastest.availableTokens(emptied, clock.nowNanos())).isEqualTo(capacity);
    }

    @Test
    void aCorruptStoredStateLooksEmptyNotFullAndDoesNotWrap() {
        BucketPolicy policy = new BucketPolicy(5, Rate.perSecond(5));
        long now = clock.nowNanos();
        assertThat(policy.availableTokens(Long.MAX_VALUE, now)).isZero();
        assertThat(policy.waitNanos(Long.MAX_VALUE, 1, now)).isPositive();
        assertThat(policy.chargedTatNanos(Long.MAX_VALUE, 1, now)).isEqualTo(Long.MAX_VALUE);
        assertThat(policy.nanosUntilFull(Long.MAX_VALUE, Long.MIN_VALUE + 1)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void rejectsChargesOfNoTokensOrMoreThanTheCapacity() {
        BucketPolicy policy = new BucketPolicy(5, Rate.perSecond(5));
        assertThatThrownBy(() -> policy.waitNanos(0, 0, 0)).hasMessageContaining("at least 1 token");
        assertThatThrownBy(() -> policy.chargedTatNanos(0, 6, 0)).hasMessageContaining("never fit");
    }

    @Test
    void aRefundGivesTokensBackButNeverMoreThanAFullBucket() {
        BucketPolicy policy = new BucketPolicy(100, Rate.perSecond(100)); // 10 ms a token
        long now = 1_000 * MS;
        long tat = policy.chargedTatNanos(Long.MIN_VALUE, 80, now);

        long refunded = policy.settledState(tat, -60, now);
        assertThat(policy.availableTokens(refunded, now)).isEqualTo(80);
        assertThat(policy.settledState(tat, -1_000, now)).isEqualTo(now); // full, not fuller
        assertThat(policy.settledState(Long.MIN_VALUE, -5, now)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void extraTokensLeaveABucketInDebtButAtMostOneBucketDeep() {
        BucketPolicy policy = new BucketPolicy(100, Rate.perSecond(100));
        long now = 1_000 * MS;
        long empty = policy.chargedTatNanos(Long.MIN_VALUE, 100, now);

        long inDebt = policy.settledState(empty, 30, now);
        assertThat(policy.waitNanos(inDebt, 1, now)).isEqualTo(310 * MS);
        assertThat(policy.settledState(empty, Long.MAX_VALUE, now)).isEqualTo(now + 2_000 * MS);
        assertThat(policy.settledState(empty, Long.MIN_VALUE, now)).isEqualTo(now);
        assertThat(policy.retentionNanos(inDebt, now)).isEqualTo(1_300 * MS);
    }
}
