package dev.sluice.limit;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Where bucket state lives: in this JVM, or shared by every instance of Sluice.
 *
 * <p>A store keeps one long per key (its meaning is the key's {@link LimitPolicy}) and applies
 * {@link AdmissionRequest#decide} to the current TATs of all of a request's keys atomically: no
 * other request may read or write those keys in between, so concurrent requests never admit more
 * than the buckets hold, and a refusal leaves every bucket as it was.
 */
public interface BucketStore {

    /**
     * Decides the request and, when admitted, stores the charged TATs.
     *
     * @return completes with the admission; fails only when the store cannot be reached
     */
    CompletionStage<Admission> tryAcquire(AdmissionRequest request);

    /**
     * Applies corrections and counter increments, each key atomically (a concurrent admission on an
     * adjusted key sees it before or after, never half-way).
     *
     * @return completes when stored; fails only when the store cannot be reached
     */
    CompletionStage<Void> settle(Settlement settlement);

    /**
     * Reads counters written by {@link #settle}.
     *
     * @return the value of each key the store holds; missing keys are left out
     */
    CompletionStage<Map<String, Long>> counters(Collection<String> keys);

    /** A short name for logs and health checks, e.g. {@code memory}. */
    String name();
}
