package dev.sluice.limit;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConcurrencyPolicyTest {

    private static final long LEASE = 10_000_000_000L;
    private static final long START = 1_767_225_600_000_000_000L; // a period's start
    private final ConcurrencyPolicy two = new ConcurrencyPolicy(2, LEASE);

    private long take(long state, long now) {
        assertThat(two.waitNanos(state, 1, now)).as("a free slot").isZero();
        return two.chargedState(state, 1, now);
    }

    @Test
    void takesUpToItsSlotsAndThenAsksToTryAgainInASecond() {
        long state = take(take(LimitPolicy.MISSING, START), START + 1);

        assertThat(two.inFlight(state, START + 2)).isEqualTo(2);
        assertThat(two.waitNanos(state, 1, START + 2)).isEqualTo(ConcurrencyPolicy.RETRY_HINT_NANOS);
        assertThat(two.snapshot(state, START + 2)).isEqualTo(new BucketSnapshot(2, 0, ConcurrencyPolicy.RETRY_HINT_NANOS));
        assertThat(two.waitNanos(LimitPolicy.MISSING, 3, START)).as("more than it ever allows").isEqualTo(BucketPolicy.NEVER);
        assertThat(two.freesWithTime()).isFalse();
    }

    @Test
    void aReleaseGivesBackTheSlotInThePeriodItWasCountedIn() {
        long period = two.periodAt(START);
        long state = take(take(LimitPolicy.MISSING, START), START);

        long released = two.settledState(state, ConcurrencyPolicy.release(period, 1), START + 5);
        assertThat(two.inFlight(released, START + 5)).isEqualTo(1);

        // one period on, the slots are counted as the period before's: a release still finds them
        long later = two.settledState(state, ConcurrencyPolicy.release(period, 1), START + LEASE + 5);
        assertThat(two.inFlight(later, START + LEASE + 5)).isEqualTo(1);

        // two periods on, they have lapsed: a late release takes nothing from anyone else
        long fresh = take(state, START + 2 * LEASE);
        assertThat(two.inFlight(two.settledState(fresh, ConcurrencyPolicy.release(period, 1), START + 2 * LEASE), START + 2 * LEASE))
                .isEqualTo(1);
    }

    @Test
    void aRenewedSlotStaysCountedAndAnUnrenewedOneLapsesAfterThePeriodAfterItsOwn() {
        long state = take(take(LimitPolicy.MISSING, START), START); // two slots, one instance renews one
        for (int period = 1; period <= 5; period++) {
            long now = START + period * LEASE + 1;
            state = two.settledState(state, ConcurrencyPolicy.renewal(two.periodAt(now) - 1, 1), now);
            assertThat(two.inFlight(state, now)).as("period %d", period).isEqualTo(period == 1 ? 2 : 1);
        }
    }

    @Test
    void aRenewalOfALapsedSlotCountsItAgainAndARenewalInTheSamePeriodChangesNothing() {
        long state = take(LimitPolicy.MISSING, START);
        long late = START + 3 * LEASE;
        assertThat(two.inFlight(state, late)).isZero();
        assertThat(two.inFlight(two.settledState(state, ConcurrencyPolicy.renewal(two.periodAt(START), 1), late), late)).isEqualTo(1);
        assertThat(two.settledState(state, ConcurrencyPolicy.renewal(two.periodAt(START), 1), START + 1)).isEqualTo(state);
    }

    @Test
    void aStateWrittenByAClockAheadIsTakenAsItIs() {
        long ahead = take(LimitPolicy.MISSING, START + LEASE); // next period, by another instance's clock
        assertThat(two.inFlight(ahead, START + LEASE - 1)).isEqualTo(1);
    }

    @Test
    void keepsAStateUntilItsSlotsWouldLapseAndScalesToAShare() {
        long state = take(LimitPolicy.MISSING, START + 3_000_000_000L);
        assertThat(two.retentionNanos(state, START + 3_000_000_000L)).isEqualTo(2 * LEASE - 3_000_000_000L);
        assertThat(two.retentionNanos(LimitPolicy.MISSING, START)).isZero();
        assertThat(two.scaledTo(0.1)).isEqualTo(new ConcurrencyPolicy(1, LEASE));
        assertThat(two.cappedState(state, 0, START)).isEqualTo(state);
    }

    @Test
    void anAdmissionWithAFullConcurrencyLimitIsRefusedAtOnceWhateverItsMaxWait() {
        long full = take(take(LimitPolicy.MISSING, START), START);
        BucketPolicy slowBucket = new BucketPolicy(1, Rate.perSecond(1));
        AdmissionRequest request = new AdmissionRequest(List.of(new BucketCharge("b", slowBucket, 1), new BucketCharge("c", two, 1)),
                START, 60_000_000_000L);

        // the bucket alone would hold it a second; the slot would not come back by waiting
        AdmissionRequest.Decision decision = request.decide(new long[] {slowBucket.chargedState(LimitPolicy.MISSING, 1, START), full});
        assertThat(decision.admission()).isInstanceOfSatisfying(Admission.Refused.class,
                refused -> assertThat(refused.chargeIndex()).isEqualTo(1));

        // with a free slot, the request is held for the bucket and its slot is taken now, not when it is sent
        AdmissionRequest.Decision held = request.decide(new long[] {slowBucket.chargedState(LimitPolicy.MISSING, 1, START),
                take(LimitPolicy.MISSING, START)});
        assertThat(held.admission()).isInstanceOfSatisfying(Admission.Admitted.class,
                admitted -> assertThat(admitted.waitNanos()).isEqualTo(1_000_000_000L));
        assertThat(two.inFlight(held.chargedStates()[1], START)).isEqualTo(2);
    }

    @Test
    void rejectsLimitsOutOfRange() {
        assertThatThrownBy(() -> new ConcurrencyPolicy(0, LEASE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConcurrencyPolicy(ConcurrencyPolicy.MAX_SLOTS + 1, LEASE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConcurrencyPolicy(1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConcurrencyPolicy.release(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
