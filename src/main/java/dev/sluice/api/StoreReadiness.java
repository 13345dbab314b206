package dev.sluice.api;

import dev.sluice.limit.BucketStore;
import dev.sluice.limit.FailoverBucketStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@code /q/health/ready} names the bucket store and says whether the shared one answered last time.
 * Closed failure mode: not ready while it does not (every request would get 503). Open: ready, degraded.
 * Misconfigured (it answers but lacks Sluice's cache or tasks): not ready in either mode, with what it lacks.
 */
@Readiness
@ApplicationScoped
public class StoreReadiness implements HealthCheck {

    @Inject
    BucketStore store;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("bucket-store").withData("store", store.name());
        if (!(store instanceof FailoverBucketStore shared)) {
            return response.up().build();
        }
        boolean available = shared.sharedAvailable();
        response.withData("available", available).withData("failure-mode", shared.mode().name().toLowerCase());
        var missing = shared.misconfiguration();
        if (missing.isPresent()) {
            return response.withData("misconfigured", "the store has " + missing.get()).down().build();
        }
        return (available || shared.mode() == FailoverBucketStore.Mode.OPEN ? response.up() : response.down()).build();
    }
}
