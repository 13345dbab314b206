package dev.sluice.admission;

import dev.sluice.limit.BucketAdjustment;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.ConcurrencyPolicy;
import dev.sluice.limit.LimitPolicy;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fleet of instances sharing one concurrency limit, in random orders of takes, ends, deaths and
 * passing time (each live instance renewing a few times a period, as the gate does): the store never
 * counts fewer slots than the live instances hold, never more than those plus the slots of instances
 * that died less than two lease periods ago, and never lets more requests run than the limit.
 */
class HeldSlotsProperties {

    private static final long LEASE = 10_000_000_000L;
    private static final long START = 1_767_225_600_000_000_000L;
    private static final ConcurrencyPolicy LIMIT = new ConcurrencyPolicy(4, LEASE);
    private static final BucketCharge SLOT = new BucketCharge("inflight:caller:k", LIMIT, 1);

    /** One step: 0..2 take on instance n % 3, 3..5 end one of its requests, 6 kills it, 7..9 let time pass. */
    @Provide
    Arbitrary<List<Integer>> steps() {
        return Arbitraries.integers().between(0, 99).list().ofMinSize(1).ofMaxSize(200);
    }

    private static final class Instance {
        final HeldSlots slots = new HeldSlots();
        final List<HeldSlots.Slot> running = new ArrayList<>();
        boolean dead;
        long diedAt;
    }

    @Property(tries = 500)
    void theStoreCountsWhatTheLiveInstancesHoldAndForgetsTheDeadOnesWithinTwoPeriods(@ForAll("steps") List<Integer> steps) {
        List<Instance> fleet = List.of(new Instance(), new Instance(), new Instance());
        long now = START;
        long state = LimitPolicy.MISSING;
        for (int step : steps) {
            Instance instance = fleet.get(step % 3);
            int kind = step / 10;
            if (kind <= 2 && !instance.dead) {
                if (LIMIT.waitNanos(state, 1, now) == 0) {
                    state = LIMIT.chargedState(state, 1, now);
                    instance.running.add(instance.slots.hold(SLOT, now));
                }
            } else if (kind <= 5 && !instance.dead && !instance.running.isEmpty()) {
                HeldSlots.Slot ended = instance.running.remove(step % instance.running.size());
                state = LIMIT.settledState(state, instance.slots.release(ended).orElseThrow().deltaTokens(), now);
            } else if (kind == 6 && !instance.dead) {
                instance.dead = true;
                instance.diedAt = now;
            } else if (kind >= 7) {
                now += 1 + (step % 10) * (LEASE / 40); // up to a quarter period: the renewal tick
                for (Instance live : fleet) {
                    if (!live.dead) {
                        for (List<BucketAdjustment> batch : live.slots.renewals(now)) {
                            for (BucketAdjustment renewal : batch) {
                                state = LIMIT.settledState(state, renewal.deltaTokens(), now);
                            }
                        }
                    }
                }
            }
            long live = 0;
            long recentlyDead = 0;
            for (Instance member : fleet) {
                if (!member.dead) {
                    live += member.running.size();
                } else if (now - member.diedAt < 2 * LEASE) {
                    recentlyDead += member.running.size();
                }
            }
            long counted = LIMIT.inFlight(state, now);
            assertThat(counted).isBetween(live, live + recentlyDead);
            assertThat(live).isLessThanOrEqualTo(LIMIT.maxInFlight());
        }
    }
}
