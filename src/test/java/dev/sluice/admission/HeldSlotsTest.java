package dev.sluice.admission;

import dev.sluice.limit.AdmissionCodec;
import dev.sluice.limit.BucketAdjustment;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.ConcurrencyPolicy;
import dev.sluice.limit.LimitPolicy;
import dev.sluice.limit.Rate;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeldSlotsTest {

    private static final long LEASE = ConcurrencyPolicy.LEASE_NANOS;
    private static final long START = 1_767_225_600_000_000_000L;
    private static final ConcurrencyPolicy THREE = ConcurrencyPolicy.of(3);

    private final HeldSlots slots = new HeldSlots();

    private static BucketCharge slotOf(String caller) {
        return new BucketCharge("inflight:caller:" + caller, THREE, 1);
    }

    @Test
    void aSlotIsGivenBackOnceWhateverEndsItsRequest() {
        HeldSlots.Slot slot = slots.hold(slotOf("a"), START);

        assertThat(slots.release(slot)).contains(new BucketAdjustment("inflight:caller:a", THREE,
                ConcurrencyPolicy.release(THREE.periodAt(START), 1)));
        assertThat(slots.release(slot)).as("the stream ended and then the caller went away").isEmpty();
        assertThat(slot.released()).isTrue();
        assertThat(slots.size()).isZero();
        assertThatThrownBy(() -> slots.hold(new BucketCharge("caller:a", new BucketPolicy(1, Rate.perSecond(1)), 1), START))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void renewalsMoveEachKeysSlotsOnceAPeriodAndSkipReleasedOnes() {
        HeldSlots.Slot first = slots.hold(slotOf("a"), START);
        slots.hold(slotOf("a"), START);
        slots.hold(slotOf("b"), START);
        slots.release(first);

        assertThat(slots.renewals(START + LEASE / 2)).as("still their period").isEmpty();
        List<List<BucketAdjustment>> renewals = slots.renewals(START + LEASE);
        assertThat(renewals).singleElement().satisfies(batch -> assertThat(batch).containsExactlyInAnyOrder(
                new BucketAdjustment("inflight:caller:a", THREE, ConcurrencyPolicy.renewal(THREE.periodAt(START), 1)),
                new BucketAdjustment("inflight:caller:b", THREE, ConcurrencyPolicy.renewal(THREE.periodAt(START), 1))));
        assertThat(slots.renewals(START + LEASE + 1)).as("renewed already").isEmpty();
    }

    @Test
    void renewalsOfManyKeysComeInBatchesOneSettlementEachCanCarry() {
        for (int i = 0; i < 40; i++) {
            slots.hold(slotOf("caller-" + i), START);
        }
        slots.hold(slotOf("caller-0"), START + LEASE); // the same key counted in another period: a second batch

        List<List<BucketAdjustment>> renewals = slots.renewals(START + 2 * LEASE);

        assertThat(renewals.stream().mapToInt(List::size).sum()).isEqualTo(41);
        assertThat(renewals).allSatisfy(batch -> {
            assertThat(batch).hasSizeLessThanOrEqualTo(AdmissionCodec.MAX_CHARGES);
            assertThat(batch.stream().map(BucketAdjustment::key).distinct()).hasSameSizeAs(batch);
        });
    }

    @Test
    void aStoreThatHearsEveryRenewalCountsExactlyTheSlotsHeld() {
        long state = LimitPolicy.MISSING;
        HeldSlots.Slot kept = slots.hold(slotOf("a"), START);
        state = THREE.chargedState(state, 1, START);
        HeldSlots.Slot ended = slots.hold(slotOf("a"), START + 1);
        state = THREE.chargedState(state, 1, START + 1);

        long now = START;
        for (int tick = 1; tick <= 20; tick++) {
            now += LEASE / 4;
            if (tick == 6) {
                state = THREE.settledState(state, slots.release(ended).orElseThrow().deltaTokens(), now);
            }
            for (List<BucketAdjustment> batch : slots.renewals(now)) {
                for (BucketAdjustment renewal : batch) {
                    state = THREE.settledState(state, renewal.deltaTokens(), now);
                }
            }
            assertThat(THREE.inFlight(state, now)).as("tick %d", tick).isEqualTo(tick < 6 ? 2 : 1);
        }
        assertThat(kept.released()).isFalse();
    }
}
