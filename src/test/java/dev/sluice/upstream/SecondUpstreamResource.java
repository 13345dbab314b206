package dev.sluice.upstream;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * For tests of several upstreams: a second {@link TestUpstream} and a {@link TestProxy}, named in
 * config as {@code test.second-upstream.url} and {@code test.proxy.port} for a profile to point its
 * upstreams at (the first upstream is {@link TestUpstreamResource}'s, {@code sluice.upstream.url}).
 */
public class SecondUpstreamResource implements QuarkusTestResourceLifecycleManager {

    private static volatile TestUpstream upstream;
    private static volatile TestProxy proxy;

    public static TestUpstream upstream() {
        return upstream;
    }

    public static TestProxy proxy() {
        return proxy;
    }

    @Override
    public Map<String, String> start() {
        upstream = TestUpstream.start();
        proxy = TestProxy.start();
        return Map.of("test.second-upstream.url", upstream.baseUrl(), "test.proxy.port", Integer.toString(proxy.port()));
    }

    @Override
    public void stop() {
        if (upstream != null) {
            upstream.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }
}
