package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With traces on, a request is one trace: the HTTP server's span, Sluice's admission (its store call),
 * the upstream attempt (the HTTP client's span) and the settlement; and its log line names the trace.
 */
@QuarkusTest
@TestProfile(TracingTest.Traced.class)
class TracingTest {

    /** Spans kept in memory, for whichever test turns traces on (every other test has them off). */
    @ApplicationScoped
    static class Spans {
        static final InMemorySpanExporter EXPORTER = InMemorySpanExporter.create();

        @Produces
        @Singleton
        SpanExporter exporter() {
            return EXPORTER;
        }
    }

    public static class Traced implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false",
                    // spans to the in-memory exporter only, none to a collector that is not there
                    "quarkus.otel.exporter.otlp.enabled", "false",
                    "quarkus.otel.bsp.schedule.delay", "50ms");
        }
    }

    TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
        Spans.EXPORTER.reset();
    }

    @Test
    void aRequestIsOneTraceOfItsAdmissionItsUpstreamCallAndItsSettlement() {
        try (TestLogCapture log = TestLogCapture.install()) {
            given().header("Authorization", "Bearer sk-traced").contentType(ContentType.JSON)
                    .body("{\"model\":\"gpt-test\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                    .when().post("/v1/chat/completions").then().statusCode(200);

            await().atMost(Duration.ofSeconds(10)).until(() -> Spans.EXPORTER.getFinishedSpanItems().stream()
                    .anyMatch(span -> span.getName().equals("POST /v1/chat/completions")));
            List<SpanData> spans = Spans.EXPORTER.getFinishedSpanItems();
            SpanData server = spans.stream().filter(span -> span.getName().equals("POST /v1/chat/completions")).findFirst().orElseThrow();
            List<SpanData> trace = spans.stream().filter(span -> span.getTraceId().equals(server.getTraceId())).toList();
            assertThat(trace).extracting(SpanData::getName).contains("sluice admit")
                    .anySatisfy(name -> assertThat(name).startsWith("POST")); // the upstream call
            assertThat(trace).filteredOn(span -> span.getName().equals("sluice admit")).singleElement()
                    .satisfies(admit -> assertThat(admit.getAttributes().asMap().toString()).contains("sluice.admitted=true"));
            assertThat(trace.stream().filter(span -> span.getKind() == io.opentelemetry.api.trace.SpanKind.CLIENT).count())
                    .as("one upstream attempt").isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> log.lines().stream()
                    .anyMatch(line -> line.contains("POST /v1/chat/completions 200") && line.contains("trace=" + server.getTraceId())));
        }
    }
}
