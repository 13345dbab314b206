package dev.sluice.upstream;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Starts one {@link TestUpstream} for all {@code @QuarkusTest}s and points Sluice at it (a profile
 * may point Sluice elsewhere). Tests reach it through {@link #upstream()}.
 */
@QuarkusTestResource(TestUpstreamResource.class)
public class TestUpstreamResource implements QuarkusTestResourceLifecycleManager {

    private static volatile TestUpstream upstream;

    public static TestUpstream upstream() {
        return upstream;
    }

    @Override
    public Map<String, String> start() {
        upstream = TestUpstream.start();
        return Map.of("sluice.upstream.url", upstream.baseUrl());
    }

    @Override
    public void stop() {
        if (upstream != null) {
            upstream.close();
        }
    }
}
