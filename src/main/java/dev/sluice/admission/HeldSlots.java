package dev.sluice.admission;

import dev.sluice.limit.AdmissionCodec;
import dev.sluice.limit.BucketAdjustment;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.ConcurrencyPolicy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The slots among their callers' requests in flight ({@link ConcurrencyPolicy}) that this instance's
 * requests hold: each is given back once when its request ends ({@link #release}), and until then
 * renewed in each new lease period ({@link #renewals}), so that the store keeps counting it while the
 * request runs and forgets it soon after this instance is gone. Time is passed in.
 */
public final class HeldSlots {

    /** A released slot's period: nothing is left to give back or renew. */
    private static final long RELEASED = -1;

    /** One request's slot: where it is counted, and the lease period it was last counted in. */
    public static final class Slot {
        private final String key;
        private final ConcurrencyPolicy policy;
        private final AtomicLong period;

        private Slot(String key, ConcurrencyPolicy policy, long period) {
            this.key = key;
            this.policy = policy;
            this.period = new AtomicLong(period);
        }

        public boolean released() {
            return period.get() == RELEASED;
        }
    }

    private final Set<Slot> held = ConcurrentHashMap.newKeySet();

    /**
     * A slot the store has just granted.
     *
     * @param charge     the admission's {@link LimitScope#CALLER_CONCURRENCY} charge
     * @param takenNanos when it was granted: picks the lease period it is counted in
     */
    public Slot hold(BucketCharge charge, long takenNanos) {
        if (!(charge.policy() instanceof ConcurrencyPolicy policy)) {
            throw new IllegalArgumentException("not a concurrency slot: " + charge.key());
        }
        Slot slot = new Slot(charge.key(), policy, policy.periodAt(takenNanos));
        held.add(slot);
        return slot;
    }

    /** What gives the slot back to the store; empty when it was given back already (a request ends once). */
    public Optional<BucketAdjustment> release(Slot slot) {
        long period = slot.period.getAndSet(RELEASED);
        held.remove(slot);
        if (period == RELEASED) {
            return Optional.empty();
        }
        return Optional.of(new BucketAdjustment(slot.key, slot.policy, ConcurrencyPolicy.release(period, 1)));
    }

    /** Slots held now. */
    public int size() {
        return held.size();
    }

    /**
     * Moves every held slot counted in an earlier lease period to the current one, and says so to the
     * store: one renewal per key and period, in batches that each fit one settlement (distinct keys,
     * at most {@link AdmissionCodec#MAX_CHARGES}). A slot released meanwhile is not renewed.
     */
    public List<List<BucketAdjustment>> renewals(long nowNanos) {
        record Renewed(String key, long period) {
        }
        Map<Renewed, Integer> counts = new LinkedHashMap<>();
        Map<String, ConcurrencyPolicy> policies = new HashMap<>();
        for (Slot slot : held) {
            long now = slot.policy.periodAt(nowNanos);
            long was = slot.period.get();
            if (was != RELEASED && was != now && slot.period.compareAndSet(was, now)) {
                counts.merge(new Renewed(slot.key, was), 1, Integer::sum);
                policies.putIfAbsent(slot.key, slot.policy);
            }
        }
        List<Map<String, BucketAdjustment>> batches = new ArrayList<>();
        counts.forEach((renewed, count) -> {
            BucketAdjustment adjustment = new BucketAdjustment(renewed.key(), policies.get(renewed.key()),
                    ConcurrencyPolicy.renewal(renewed.period(), Math.min(count, ConcurrencyPolicy.MAX_SLOTS)));
            Map<String, BucketAdjustment> batch = batches.stream()
                    .filter(open -> open.size() < AdmissionCodec.MAX_CHARGES && !open.containsKey(renewed.key()))
                    .findFirst().orElse(null);
            if (batch == null) {
                batch = new LinkedHashMap<>();
                batches.add(batch);
            }
            batch.put(renewed.key(), adjustment);
        });
        return batches.stream().map(batch -> List.copyOf(batch.values())).toList();
    }
}
