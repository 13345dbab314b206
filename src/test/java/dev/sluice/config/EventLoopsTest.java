package dev.sluice.config;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EventLoopsTest {

    @Test
    void oneEventLoopPerProcessor() {
        assertThat(new EventLoops(2).getValue(EventLoops.PROPERTY)).isEqualTo("2");
        assertThat(new EventLoops(0).getValue(EventLoops.PROPERTY)).as("never none").isEqualTo("1");
        assertThat(new EventLoops(2).getValue("quarkus.vertx.worker-pool-size")).isNull();
    }

    @Test
    void discoveredAndBelowWhatTheOperatorSets() {
        SmallRyeConfig discovered = new SmallRyeConfigBuilder().addDiscoveredSources().build();
        assertThat(discovered.getValue(EventLoops.PROPERTY, Integer.class)).isEqualTo(Runtime.getRuntime().availableProcessors());

        // the environment's ordinal, 300: what an operator sets as QUARKUS_VERTX_EVENT_LOOPS_POOL_SIZE wins
        SmallRyeConfig set = new SmallRyeConfigBuilder().addDiscoveredSources()
                .withSources(new PropertiesConfigSource(Map.of(EventLoops.PROPERTY, "7"), "operator", 300)).build();
        assertThat(set.getValue(EventLoops.PROPERTY, Integer.class)).isEqualTo(7);
    }
}
