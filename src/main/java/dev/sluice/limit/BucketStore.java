package dev.sluice.limit;

import java.util.concurrent.CompletionStage;

/**
 * Where bucket state lives: in this JVM, or shared by every instance of Sluice.
 *
 * <p>A store keeps one TAT per key (see {@link BucketPolicy}) and applies
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

    /** A short name for logs and health checks, e.g. {@code memory}. */
    String name();
}
