package dev.sluice.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TracingSwitchTest {

    @Test
    void tracesAreOnOnlyWhenAnOtlpEndpointIsSet() {
        assertThat(new TracingSwitch(Map.of(), Map.of()).getValue(TracingSwitch.PROPERTY)).isEqualTo("true");
        assertThat(new TracingSwitch(Map.of("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"), Map.of())
                .getValue(TracingSwitch.PROPERTY)).isEqualTo("false");
        assertThat(new TracingSwitch(Map.of("QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318"), Map.of())
                .getValue(TracingSwitch.PROPERTY)).isEqualTo("false");
        assertThat(new TracingSwitch(Map.of(), Map.of("quarkus.otel.exporter.otlp.endpoint", "http://collector:4317"))
                .getValue(TracingSwitch.PROPERTY)).isEqualTo("false");
        assertThat(new TracingSwitch(Map.of("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", " "), Map.of())
                .getValue(TracingSwitch.PROPERTY)).as("blank is unset").isEqualTo("true");
        assertThat(new TracingSwitch(Map.of(), Map.of()).getValue("quarkus.otel.enabled")).isNull();
        assertThat(new TracingSwitch().getOrdinal()).isBetween(1, 249);
    }
}
