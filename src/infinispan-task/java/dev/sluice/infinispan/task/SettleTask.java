package dev.sluice.infinispan.task;

import dev.sluice.limit.AdmissionCodec;
import dev.sluice.limit.BucketAdjustment;
import dev.sluice.limit.CounterIncrement;
import dev.sluice.limit.LimitPolicy;
import dev.sluice.limit.Settlement;

/**
 * {@code sluice-settle}: applies a {@link Settlement} inside the Infinispan server in one round trip:
 * corrects reservations by the real cost and adds to usage counters, with every key locked
 * ({@link LockedBuckets}) so that concurrent admissions see each correction whole.
 * Parameter {@code request}: {@link AdmissionCodec#encodeSettlement} bytes; result: nothing.
 */
public final class SettleTask extends SluiceTask<Void> {

    public static final String NAME = "sluice-settle";

    public SettleTask() {
        super(NAME);
    }

    @Override
    public Void call() throws Exception {
        byte[] requestBytes = requestBytes();
        Settlement unlocked = AdmissionCodec.decodeSettlement(requestBytes, () -> 0);
        try (LockedBuckets buckets = LockedBuckets.lock(context(), NAME, unlocked.keys())) {
            Settlement settlement = AdmissionCodec.decodeSettlement(requestBytes, LockedBuckets::serverNowNanos);
            long now = settlement.nowNanos();
            long[] states = new long[settlement.adjustments().size()];
            for (int i = 0; i < states.length; i++) {
                states[i] = buckets.get(settlement.adjustments().get(i).key(), LimitPolicy.MISSING);
            }
            long[] settled = settlement.settledStates(states);
            for (int i = 0; i < states.length; i++) {
                BucketAdjustment adjustment = settlement.adjustments().get(i);
                buckets.put(adjustment.key(), settled[i], adjustment.policy().retentionNanos(settled[i], now));
            }
            for (CounterIncrement counter : settlement.counters()) {
                long current = buckets.get(counter.key(), 0);
                buckets.put(counter.key(), Settlement.incremented(current, counter.amount()), counter.retentionNanos());
            }
            buckets.commit();
            return null;
        }
    }
}
