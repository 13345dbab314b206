package dev.sluice.api;

import dev.sluice.limit.BucketStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** {@code /q/health/ready} names the bucket store in use; the in-memory store is always ready. */
@Readiness
@ApplicationScoped
public class StoreReadiness implements HealthCheck {

    @Inject
    BucketStore store;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("bucket-store").up().withData("store", store.name()).build();
    }
}
