package dev.sluice.limit;

import java.util.List;

/** The answer to an {@link AdmissionRequest}: every bucket was charged, or none was. */
public sealed interface Admission {

    /**
     * Every bucket was charged.
     *
     * @param waitNanos how long to hold the request before sending it, so that it reaches the
     *                  upstream when its tokens are due; 0 to send at once
     * @param buckets   each charged bucket after the charge, in the order of the request's charges
     */
    record Admitted(long waitNanos, List<BucketSnapshot> buckets) implements Admission {
        public Admitted {
            buckets = List.copyOf(buckets);
        }
    }

    /**
     * Nothing was charged.
     *
     * @param chargeIndex     index of the charge whose bucket refused (the one that needs the longest wait)
     * @param retryAfterNanos how long until that bucket could admit the request without waiting;
     *                        {@link BucketPolicy#NEVER} when the request is larger than the bucket
     * @param bucket          that bucket as it is now
     */
    record Refused(int chargeIndex, long retryAfterNanos, BucketSnapshot bucket) implements Admission {

        /** The request asks for more tokens than the bucket can ever hold. */
        public boolean neverAdmissible() {
            return retryAfterNanos == BucketPolicy.NEVER;
        }
    }
}
