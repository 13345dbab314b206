package dev.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.SluiceSettings;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/knative/service.yaml and its ConfigMap against the code: every variable they set is a real,
 * valid setting, secrets come from Secrets, the port and image match the build, and the timeouts hold
 * the longest request Sluice can make. (The probe paths are checked on a running Sluice by
 * {@link KnativeProbesTest}.)
 */
class KnativeServiceTest {

    private final JsonNode service = Manifests.only("deploy/knative/service.yaml");
    private final JsonNode configMap = Manifests.only("deploy/knative/configmap.yaml");
    private final JsonNode revision = service.at("/spec/template/spec");
    private final JsonNode container = revision.at("/containers/0");

    @Test
    void isAKnativeServiceWithOneContainerReadingTheConfigMap() {
        assertThat(service.path("apiVersion").asText()).isEqualTo("serving.knative.dev/v1");
        assertThat(service.path("kind").asText()).isEqualTo("Service");
        assertThat(revision.path("containers")).hasSize(1);
        assertThat(configMap.path("kind").asText()).isEqualTo("ConfigMap");
        assertThat(container.at("/envFrom/0/configMapRef/name").asText())
                .isEqualTo(configMap.at("/metadata/name").asText());
    }

    @Test
    void everyVariableSetIsARealSetting() {
        DeployedEnvironment.assertEveryVariableIsARealSetting(variableNames());
    }

    @Test
    void theConfigMapValuesPassSluicesOwnStartUpChecks() {
        SluiceSettings settings = settings();

        assertThat(settings.store().kind().name()).as("instances come and go: the buckets must be shared")
                .isEqualToIgnoringCase("infinispan");
        assertThat(configMap.path("data")).allSatisfy(value -> assertThat(value.isTextual())
                .as("ConfigMap values are strings (quote numbers)").isTrue());
    }

    @Test
    void secretsComeFromSecretsOnly() {
        assertThat(configMap.path("data").fieldNames()).toIterable()
                .allSatisfy(name -> assertThat(name).doesNotMatch(DeployedEnvironment.SECRET_NAME));
        assertThat(container.path("env")).allSatisfy(variable -> {
            if (DeployedEnvironment.SECRET_NAME.matcher(variable.path("name").asText()).matches()) {
                assertThat(variable.has("value")).as(variable.path("name").asText()).isFalse();
                assertThat(variable.at("/valueFrom/secretKeyRef/name").asText()).isNotEmpty();
                assertThat(variable.at("/valueFrom/secretKeyRef/key").asText()).isNotEmpty();
            }
        });
        assertThat(secretVariables()).contains("SLUICE_UPSTREAM_API_KEY", "QUARKUS_INFINISPAN_CLIENT_PASSWORD");
    }

    @Test
    void theContainerPortIsTheOneQuarkusAndTheImageListenOn() throws IOException {
        Properties properties = new Properties();
        try (var in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            properties.load(in);
        }
        int port = Integer.parseInt(environment().getOrDefault("QUARKUS_HTTP_PORT",
                properties.getProperty("quarkus.http.port", "8080")));

        assertThat(container.path("ports")).hasSize(1);
        assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(port);
        for (String dockerfile : List.of("src/main/docker/Dockerfile.jvm", "src/main/docker/Dockerfile.native")) {
            assertThat(Files.readString(Path.of(dockerfile))).as(dockerfile).contains("EXPOSE " + port + "\n");
        }
    }

    @Test
    void theImageIsTheProjectsVersion() throws IOException {
        Matcher version = Pattern.compile("<artifactId>sluice</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertThat(version.find()).isTrue();

        assertThat(container.path("image").asText()).endsWith(":" + version.group(1));
    }

    @Test
    void scalesOnConcurrencyFromZeroToABound() {
        JsonNode annotations = service.at("/spec/template/metadata/annotations");

        assertThat(annotations.path("autoscaling.knative.dev/metric").asText()).isEqualTo("concurrency");
        assertThat(Integer.parseInt(annotations.path("autoscaling.knative.dev/target").asText())).isPositive();
        assertThat(annotations.path("autoscaling.knative.dev/min-scale").asText()).isEqualTo("0");
        assertThat(Integer.parseInt(annotations.path("autoscaling.knative.dev/max-scale").asText())).isPositive();
    }

    @Test
    void prometheusScrapesTheMetricsOnTheContainersPort() {
        JsonNode annotations = service.at("/spec/template/metadata/annotations");

        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/q/metrics");
        assertThat(annotations.path("prometheus.io/port").asText())
                .isEqualTo(service.at("/spec/template/spec/containers/0/ports/0/containerPort").asText());
    }

    /**
     * The first byte can take the longest hold, every retry and one last attempt; a stream may then
     * fall silent for the upstream timeout. Knative's timeoutSeconds bounds a whole request and is
     * also the pod's termination grace, so it must hold all of that, and Quarkus's own shutdown wait
     * must fit inside it.
     */
    @Test
    void theTimeoutsHoldTheLongestRequest() {
        SluiceSettings settings = settings();
        Duration firstByte = DeployedEnvironment.longestFirstByte(settings);
        Duration responseStart = Duration.ofSeconds(revision.path("responseStartTimeoutSeconds").asLong());
        Duration idle = Duration.ofSeconds(revision.path("idleTimeoutSeconds").asLong());
        Duration total = Duration.ofSeconds(revision.path("timeoutSeconds").asLong());
        Duration shutdown = new DurationConverter().convert(environment().get("QUARKUS_SHUTDOWN_TIMEOUT"));

        assertThat(responseStart).isGreaterThanOrEqualTo(firstByte);
        assertThat(idle).isGreaterThan(settings.connections().replyTimeout());
        assertThat(total).isGreaterThanOrEqualTo(responseStart).isGreaterThanOrEqualTo(idle)
                .isGreaterThan(settings.resilience().retry().maxTotal());
        assertThat(shutdown).isPositive().isLessThan(total);
    }

    @Test
    void requestsResourcesWithinItsLimit() {
        JsonNode resources = container.path("resources");
        MemorySizeConverter sizes = new MemorySizeConverter();

        assertThat(resources.at("/requests/cpu").asText()).isNotEmpty();
        long requested = sizes.convert(resources.at("/requests/memory").asText().replace("i", "")).asLongValue();
        long limit = sizes.convert(resources.at("/limits/memory").asText().replace("i", "")).asLongValue();
        assertThat(requested).isPositive().isLessThanOrEqualTo(limit);
    }

    /** Not swapped: restarting a container because Infinispan is away would not bring it back. */
    @Test
    void livenessAndReadinessAreTheirOwnHealthPaths() {
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
    }

    /** What the container's environment would hold: the ConfigMap, then the plain values of env. */
    private Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>();
        configMap.path("data").fields().forEachRemaining(field -> environment.put(field.getKey(), field.getValue().asText()));
        container.path("env").forEach(variable -> {
            if (variable.has("value")) {
                environment.put(variable.path("name").asText(), variable.path("value").asText());
            }
        });
        return environment;
    }

    private List<String> variableNames() {
        List<String> names = new java.util.ArrayList<>();
        configMap.path("data").fieldNames().forEachRemaining(names::add);
        container.path("env").forEach(variable -> names.add(variable.path("name").asText()));
        return names;
    }

    private List<String> secretVariables() {
        List<String> names = new java.util.ArrayList<>();
        container.path("env").forEach(variable -> {
            if (variable.at("/valueFrom/secretKeyRef").isObject()) {
                names.add(variable.path("name").asText());
            }
        });
        return names;
    }

    /** The real config mapping and start-up checks, fed the manifest's environment (secrets stand in). */
    private SluiceSettings settings() {
        return DeployedEnvironment.settings(environment(), secretVariables());
    }
}
