package dev.sluice.limit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One request's charges against every bucket that applies to it, decided all or nothing.
 *
 * @param charges       the buckets to charge, each key at most once
 * @param nowNanos      the moment of the decision, wall-clock epoch nanoseconds
 * @param maxWaitNanos  the longest the request may be held for its tokens; 0 refuses at once
 */
public record AdmissionRequest(List<BucketCharge> charges, long nowNanos, long maxWaitNanos) {

    public AdmissionRequest {
        charges = List.copyOf(charges);
        if (charges.isEmpty()) {
            throw new IllegalArgumentException("an admission request needs at least one charge");
        }
        // A request has a handful of charges: comparing pairs allocates nothing, unlike a set.
        for (int i = 0; i < charges.size(); i++) {
            for (int j = i + 1; j < charges.size(); j++) {
                if (charges.get(i).key().equals(charges.get(j).key())) {
                    throw new IllegalArgumentException("bucket key '" + charges.get(i).key() + "' is charged twice");
                }
            }
        }
        if (maxWaitNanos < 0) {
            throw new IllegalArgumentException("max wait must not be negative, got " + maxWaitNanos + " ns");
        }
    }

    /**
     * Decides the request against the current states of its keys (see {@link LimitPolicy}).
     *
     * <p>The request is admitted when every bucket can take its tokens within the max wait (and a limit
     * that does not free with time, at once). Then all
     * buckets are charged at the same moment, now plus the longest of their waits: that is when the
     * request will reach the upstream, and charging a bucket earlier than its tokens are used would
     * let a later request through ahead of it and overrun the upstream's own bucket.
     *
     * @param tatNanos the current state of each charge's key, in charge order; {@link LimitPolicy#MISSING}
     *                 for a key the store does not hold
     * @return the admission and, when admitted, the states to store
     */
    public Decision decide(long[] tatNanos) {
        Objects.requireNonNull(tatNanos, "tatNanos");
        if (tatNanos.length != charges.size()) {
            throw new IllegalArgumentException(
                    "expected " + charges.size() + " bucket states, got " + tatNanos.length);
        }
        long longestWaitNanos = 0;
        int longestWaitIndex = 0;
        int refusedNowIndex = -1;
        for (int i = 0; i < charges.size(); i++) {
            BucketCharge charge = charges.get(i);
            long waitNanos = charge.policy().waitNanos(tatNanos[i], charge.tokens(), nowNanos);
            if (waitNanos > longestWaitNanos) {
                longestWaitNanos = waitNanos;
                longestWaitIndex = i;
            }
            if (waitNanos > 0 && !charge.policy().freesWithTime() && refusedNowIndex < 0) {
                refusedNowIndex = i; // waiting would not free it: no hold
            }
        }
        if (refusedNowIndex >= 0 || longestWaitNanos > maxWaitNanos) {
            int refusing = refusedNowIndex >= 0 ? refusedNowIndex : longestWaitIndex;
            long waitNanos = charges.get(refusing).policy().waitNanos(tatNanos[refusing], charges.get(refusing).tokens(), nowNanos);
            BucketSnapshot snapshot = charges.get(refusing).policy().snapshot(tatNanos[refusing], nowNanos);
            return Decision.refused(new Admission.Refused(refusing, waitNanos, snapshot));
        }
        long sendAtNanos = nowNanos + longestWaitNanos;
        long[] chargedStates = new long[charges.size()];
        List<BucketSnapshot> snapshots = new ArrayList<>(charges.size());
        for (int i = 0; i < charges.size(); i++) {
            BucketCharge charge = charges.get(i);
            // a slot is held from now, while the request waits too; tokens are spent when it is sent
            long chargedAt = charge.policy().freesWithTime() ? sendAtNanos : nowNanos;
            chargedStates[i] = charge.policy().chargedState(tatNanos[i], charge.tokens(), chargedAt);
            snapshots.add(charge.policy().snapshot(chargedStates[i], nowNanos));
        }
        return new Decision(new Admission.Admitted(longestWaitNanos, snapshots), chargedStates);
    }

    /**
     * The outcome of {@link #decide}.
     *
     * @param admission       what the caller is told
     * @param chargedStates the states to store, in charge order, when admitted; {@code null} when refused
     */
    public record Decision(Admission admission, long[] chargedStates) {

        static Decision refused(Admission.Refused refused) {
            return new Decision(refused, null);
        }

        public boolean admitted() {
            return admission instanceof Admission.Admitted;
        }
    }
}
