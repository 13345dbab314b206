package dev.sluice.api;

import dev.sluice.keys.CallerKeys;
import dev.sluice.limit.infinispan.InfinispanTestServer;
import dev.sluice.upstream.SecondUpstreamResource;
import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstream.Reply;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A representative managed-mode workload with every secret Sluice holds set to a recognisable value
 * (two upstream keys, a static caller key, the admin token, the Infinispan password): answers, streams,
 * refusals, retries, a failover, a store that refuses the password (so every admission and every admin
 * call meets a store failure), the admin and usage APIs. Then every log line and every response
 * (status line, headers, body) is searched for each secret (issue 17). Keys issued and rotated through
 * the admin API, which its answer shows once, are searched for the same way by AdminApiTest.
 */
@QuarkusTest
@TestProfile(SecretsNeverLeakTest.Everything.class)
class SecretsNeverLeakTest {

    static final String UPSTREAM_A_KEY = "sk-upstream-a-SECRET-1d2c";
    static final String UPSTREAM_B_KEY = "sk-upstream-b-SECRET-9e8f";
    static final String CALLER_KEY = "sk-sluice-caller-SECRET-5b6a7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f";
    static final String ADMIN_TOKEN = "admin-SECRET-token-0123456789abcdef0123";
    static final String STORE_PASSWORD = "ispn-SECRET-not-the-servers-password";

    public static class Everything implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(
                    Map.entry("sluice.upstreams.a.url", "${sluice.upstream.url}"),
                    Map.entry("sluice.upstreams.a.api-key", UPSTREAM_A_KEY),
                    Map.entry("sluice.upstreams.b.url", "${test.second-upstream.url}"),
                    Map.entry("sluice.upstreams.b.api-key", UPSTREAM_B_KEY),
                    Map.entry("sluice.upstreams.b.rpm", "600"),
                    Map.entry("sluice.keys.ops.sha256", CallerKeys.hash(CALLER_KEY)),
                    Map.entry("sluice.admin-token", ADMIN_TOKEN),
                    Map.entry("sluice.caller.rate", "1/m"),
                    Map.entry("sluice.caller.burst", "8"),
                    Map.entry("sluice.retry.base-delay", "10ms"),
                    Map.entry("sluice.retry.max-delay", "20ms"),
                    Map.entry("sluice.store", "infinispan"),
                    Map.entry("sluice.store-failure", "open"),
                    Map.entry("sluice.store-retry-interval", "200ms"),
                    Map.entry("quarkus.infinispan-client.hosts", InfinispanTestServer.ensureRunning()),
                    Map.entry("quarkus.infinispan-client.username", InfinispanTestServer.USERNAME),
                    Map.entry("quarkus.infinispan-client.password", STORE_PASSWORD));
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SecondUpstreamResource.class));
        }
    }

    private static final String BODY = "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM_BODY = "{\"model\":\"gpt-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final Reply OVERLOADED = Reply.json(503, "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}", Map.of());

    private final List<Response> responses = new ArrayList<>();

    private Response kept(Response response) {
        responses.add(response);
        return response;
    }

    private RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    @Test
    void noKeyTokenOrPasswordAppearsInAnyLogLineOrAnyResponse() {
        TestUpstream a = TestUpstreamResource.upstream();
        TestUpstream b = SecondUpstreamResource.upstream();
        a.reset();
        b.reset();
        TestClock.refillEverything();
        List<String> lines;
        try (TestLogCapture log = TestLogCapture.install()) {
            // the admin API, with the store refusing the password: nothing can be issued
            kept(as(ADMIN_TOKEN).body("{\"name\":\"team\",\"plan\":\"default\"}").post("/admin/v1/keys"));
            kept(as(ADMIN_TOKEN).get("/admin/v1/keys"));
            kept(as(ADMIN_TOKEN + "x").get("/admin/v1/keys"));
            kept(as(CALLER_KEY).get("/admin/v1/keys"));
            kept(as(ADMIN_TOKEN).get("/admin/v1/upstreams"));

            // answers, a stream, an upstream error, a retry that fails over to the other upstream, an upstream 429
            kept(as(CALLER_KEY).body(BODY).post("/v1/chat/completions"));
            kept(as(CALLER_KEY).body(STREAM_BODY).post("/v1/chat/completions"));
            a.enqueue(OVERLOADED, OVERLOADED);
            b.enqueue(OVERLOADED, OVERLOADED);
            kept(as(CALLER_KEY).body(BODY).post("/v1/chat/completions"));
            a.enqueue(Reply.json(429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}",
                    Map.of("retry-after", "1", "x-ratelimit-remaining-requests", "0")));
            kept(as(CALLER_KEY).body(BODY).post("/v1/chat/completions"));
            a.enqueue(Reply.closeConnection());
            kept(as(CALLER_KEY).body(BODY).post("/v1/chat/completions"));

            // refusals: the caller's bucket, a key Sluice does not know, a bad body, models, usage
            for (int i = 0; i < 8; i++) {
                kept(as(CALLER_KEY).body(BODY).post("/v1/chat/completions"));
            }
            kept(as("sk-sluice-unknown-SECRET").body(BODY).post("/v1/chat/completions"));
            kept(given().header("Authorization", "Basic " + CALLER_KEY).contentType(ContentType.JSON).body(BODY)
                    .post("/v1/chat/completions"));
            kept(as(CALLER_KEY).body("{\"model\":\"gpt-test\",\"max_tokens\":-1,\"messages\":[]}").post("/v1/chat/completions"));
            kept(as(CALLER_KEY).get("/v1/models"));
            kept(as(CALLER_KEY).get("/sluice/v1/usage"));
            kept(as(ADMIN_TOKEN).get("/admin/v1/usage"));
            kept(given().get("/q/health/ready"));
            kept(given().get("/q/metrics"));
            lines = log.lines();
        }

        assertThat(lines).as("the workload met the store's refusal").anyMatch(line -> line.contains("dev.sluice.store"));
        assertThat(lines).as("and was logged").anyMatch(line -> line.contains("dev.sluice.request"));
        assertThat(responses.stream().map(Response::statusCode).distinct())
                .as("answers, refusals and errors were all among them").contains(200, 401, 400, 429, 503);
        List<String> secrets = List.of(UPSTREAM_A_KEY, UPSTREAM_B_KEY, CALLER_KEY, ADMIN_TOKEN, STORE_PASSWORD, "SECRET");
        String logged = String.join("\n", lines);
        for (String secret : secrets) {
            assertThat(logged).as("the log").doesNotContain(secret);
            for (Response response : responses) {
                assertThat(response.statusLine() + "\n" + response.headers() + "\n" + response.asString())
                        .as("a response").doesNotContain(secret);
            }
        }
    }
}
