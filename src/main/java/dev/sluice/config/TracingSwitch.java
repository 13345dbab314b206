package dev.sluice.config;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Traces are on only when somewhere takes them: this source sets {@code quarkus.otel.sdk.disabled} to
 * {@code false} when an OTLP endpoint is set ({@code QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT} or
 * {@code QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}, or their system properties), to {@code true}
 * otherwise, so that an instance without a collector neither builds spans nor tries to send them to
 * the exporter's default {@code localhost:4317}. Quarkus fixes whether its OTLP exporter exists at
 * build time; this decides at start-up. Below the environment and application.properties: setting
 * {@code QUARKUS_OTEL_SDK_DISABLED} still wins.
 */
public final class TracingSwitch implements ConfigSource {

    static final String PROPERTY = "quarkus.otel.sdk.disabled";
    private static final List<String> ENDPOINTS = List.of("quarkus.otel.exporter.otlp.endpoint",
            "quarkus.otel.exporter.otlp.traces.endpoint");
    /** Above Quarkus's own defaults (0), below application.properties (250) and the environment (300). */
    private static final int ORDINAL = 100;

    private final String disabled;

    public TracingSwitch() {
        this(System.getenv(), System.getProperties().stringPropertyNames().stream()
                .collect(java.util.stream.Collectors.toMap(name -> name, System::getProperty)));
    }

    /** For tests: the environment and the system properties to look in. */
    TracingSwitch(Map<String, String> environment, Map<String, String> properties) {
        boolean endpoint = ENDPOINTS.stream().anyMatch(property -> present(properties.get(property))
                || present(environment.get(Problems.envName(property))));
        this.disabled = Boolean.toString(!endpoint);
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(PROPERTY);
    }

    @Override
    public String getValue(String propertyName) {
        return PROPERTY.equals(propertyName) ? disabled : null;
    }

    @Override
    public String getName() {
        return "sluice-tracing-switch";
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }
}
