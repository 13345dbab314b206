package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static dev.sluice.upstream.TestUpstream.Reply;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request log's line keeps its structured fields (the record's MDC, which JSON logs print as fields):
 * RequestLog writes its record itself rather than through the thread's MDC (issue 20), and operators'
 * queries rely on every field.
 */
@QuarkusTest
class RequestLogFieldsTest {

    final TestUpstream upstream = TestUpstreamResource.upstream();

    @Test
    void aRequestsLineCarriesEveryFieldInItsMdc() {
        upstream.reset();
        TestClock.refillEverything();
        try (TestLogCapture log = TestLogCapture.install()) {
            upstream.enqueue(Reply.completion());
            given().header("Authorization", "Bearer sk-fields-test").contentType(ContentType.JSON)
                    .body("{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                    .when().post("/v1/chat/completions").then().statusCode(200);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> log.lines().stream().anyMatch(line -> line.startsWith("dev.sluice.request ")));
            String line = log.lines().stream().filter(l -> l.startsWith("dev.sluice.request ")).findFirst().orElseThrow();
            assertThat(line).contains("POST /v1/chat/completions 200 ")
                    .contains("model=gpt-test stream=false admitted upstream=200 via=default");
            assertThat(line).contains("method=POST", "path=/v1/chat/completions", "model=gpt-test", "stream=false",
                    "outcome=admitted", "upstream=default", "upstream_status=200", "status=200", "latency_ms=")
                    .containsPattern("caller=[0-9a-f]{12}");
        }
    }
}
