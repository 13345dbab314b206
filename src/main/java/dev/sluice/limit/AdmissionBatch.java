package dev.sluice.limit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Several admission requests decided one after the other against the same key states, as one
 * operation: what a shared store does to answer many concurrent requests in one round trip and one
 * set of locks. Each request stays all or nothing, and sees the charges of the requests before it.
 */
public final class AdmissionBatch {

    private AdmissionBatch() {
    }

    /**
     * The outcome of a batch.
     *
     * @param admissions one per request, in request order
     * @param changed    every key an admitted request charged, with its policy (for the entry's retention)
     */
    public record Result(List<Admission> admissions, Map<String, LimitPolicy> changed) {
    }

    /** Every key the batch touches, once each, in key order: the order to lock them in. */
    public static List<String> keys(List<AdmissionRequest> requests) {
        TreeSet<String> keys = new TreeSet<>();
        for (AdmissionRequest request : requests) {
            for (BucketCharge charge : request.charges()) {
                keys.add(charge.key());
            }
        }
        return new ArrayList<>(keys);
    }

    /**
     * Decides the requests in order.
     *
     * @param states the current state of every key of {@link #keys} ({@link LimitPolicy#MISSING} when
     *               the store holds none); updated in place with each admitted charge
     */
    public static Result decide(List<AdmissionRequest> requests, Map<String, Long> states) {
        List<Admission> admissions = new ArrayList<>(requests.size());
        Map<String, LimitPolicy> changed = new LinkedHashMap<>();
        for (AdmissionRequest request : requests) {
            List<BucketCharge> charges = request.charges();
            long[] current = new long[charges.size()];
            for (int i = 0; i < current.length; i++) {
                current[i] = states.getOrDefault(charges.get(i).key(), LimitPolicy.MISSING);
            }
            AdmissionRequest.Decision decision = request.decide(current);
            if (decision.admitted()) {
                for (int i = 0; i < current.length; i++) {
                    if (decision.chargedStates()[i] != current[i]) { // a cooldown is read, never written
                        states.put(charges.get(i).key(), decision.chargedStates()[i]);
                        changed.put(charges.get(i).key(), charges.get(i).policy());
                    }
                }
            }
            admissions.add(decision.admission());
        }
        return new Result(admissions, changed);
    }
}
