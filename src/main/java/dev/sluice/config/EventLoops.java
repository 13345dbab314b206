package dev.sluice.config;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.Set;

/**
 * One Vert.x event loop per core, not Quarkus's two: this source sets {@code quarkus.vertx.event-loops-pool-size}
 * to the number of processors the JVM sees. Every request of Sluice's runs on an event loop and none of them
 * blocks it (the store, the upstream and the request log are all asynchronous), so a second loop a core only
 * adds threads that take the core from one another: on two cores shared with its load (issue 20's overhead
 * bench), four loops cost 7 % more CPU a request than two and served 7 % fewer requests a second (an interleaved
 * A/B, eight pairs). One loop per core is also what Envoy and nginx run (a worker per core). Below the
 * environment and application.properties: {@code QUARKUS_VERTX_EVENT_LOOPS_POOL_SIZE} still wins.
 */
public final class EventLoops implements ConfigSource {

    static final String PROPERTY = "quarkus.vertx.event-loops-pool-size";
    /** Above Quarkus's own defaults (0), below application.properties (250) and the environment (300). */
    private static final int ORDINAL = 100;

    private final String loops;

    public EventLoops() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** For tests: the processors to count. */
    EventLoops(int processors) {
        this.loops = Integer.toString(Math.max(1, processors));
    }

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(PROPERTY);
    }

    @Override
    public String getValue(String propertyName) {
        return PROPERTY.equals(propertyName) ? loops : null;
    }

    @Override
    public String getName() {
        return "sluice-event-loops";
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }
}
