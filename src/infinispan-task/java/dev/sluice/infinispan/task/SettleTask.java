package dev.sluice.infinispan.task;

import dev.sluice.limit.AdmissionCodec;
import dev.sluice.limit.BucketAdjustment;
import dev.sluice.limit.CounterIncrement;
import dev.sluice.limit.LimitPolicy;
import dev.sluice.limit.Settlement;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code sluice-settle}: applies a batch of {@link Settlement}s inside the Infinispan server in one
 * round trip: corrects reservations by the real cost and adds to usage counters, with every key locked
 * ({@link LockedBuckets}) so that concurrent admissions see each correction whole. The settlements are
 * applied in order, each to the state the one before it left (many name the same upstream key).
 * Parameter {@code request}: {@link AdmissionCodec#encodeSettlements} bytes; result: nothing.
 */
public final class SettleTask extends SluiceTask<Void> {

    public static final String NAME = "sluice-settle";

    public SettleTask() {
        super(NAME);
    }

    @Override
    public Void call() throws Exception {
        byte[] requestBytes = requestBytes();
        Set<String> keys = new LinkedHashSet<>();
        AdmissionCodec.decodeSettlements(requestBytes, () -> 0).forEach(settlement -> keys.addAll(settlement.keys()));
        try (LockedBuckets buckets = LockedBuckets.lock(context(), NAME, new ArrayList<>(keys))) {
            // the transaction reads its own writes: each settlement sees what the ones before it left
            for (Settlement settlement : AdmissionCodec.decodeSettlements(requestBytes, LockedBuckets::serverNowNanos)) {
                apply(settlement, buckets);
            }
            buckets.commit();
            return null;
        }
    }

    private static void apply(Settlement settlement, LockedBuckets buckets) {
        long now = settlement.nowNanos();
        List<BucketAdjustment> adjustments = settlement.adjustments();
        long[] states = new long[adjustments.size()];
        for (int i = 0; i < states.length; i++) {
            states[i] = buckets.get(adjustments.get(i).key(), LimitPolicy.MISSING);
        }
        long[] settled = settlement.settledStates(states);
        for (int i = 0; i < states.length; i++) {
            BucketAdjustment adjustment = adjustments.get(i);
            buckets.put(adjustment.key(), settled[i], adjustment.policy().retentionNanos(settled[i], now));
        }
        for (CounterIncrement counter : settlement.counters()) {
            long current = buckets.get(counter.key(), 0);
            buckets.put(counter.key(), Settlement.incremented(current, counter.amount()), counter.retentionNanos());
        }
    }
}
