package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstream.Reply;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.notNullValue;

/**
 * The packaged jar (prod profile) serving the requests a cold instance sees first, in managed mode with
 * request and token limits on the upstream key. Besides checking the jar, it is the training workload of
 * the JDK 25 AOT cache: with {@code -DskipITs=false -Dquarkus.package.jar.aot.enabled=true} Quarkus runs
 * the jar with {@code -XX:AOTMode=record} while these requests go through, so the cache holds the request
 * path's classes (RESTEasy's handlers, Jackson, the REST client, the limiter, the token estimator, the
 * fault-tolerance interceptors) and not only those of the start. Not run by the default {@code mvn verify}
 * ({@code skipITs} is true in the pom). Without a test profile: Quarkus trains only from tests that have none.
 */
@QuarkusIntegrationTest
@WithTestResource(AotTrainingIT.ManagedWithLimits.class)
class AotTrainingIT {

    static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]}";
    static final String STREAM = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    /** Sluice's own key, any caller's key taken, and limits high enough that only the caller's own bucket (5/s, burst 5) refuses. */
    public static class ManagedWithLimits implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            // managed mode takes only known keys unless told to take any: these callers are made up, as a trial's are
            return Map.of("sluice.upstream.api-key", "sk-training", "sluice.accept-any-key", "true",
                    "sluice.upstream.rpm", "600000",
                    "sluice.upstream.tpm", "100000000");
        }

        @Override
        public void stop() {
        }
    }

    final TestUpstream upstream = TestUpstreamResource.upstream();

    @Test
    void servesPlainAndStreamedChatsModelsAndRefusals() {
        String[] models = {"gpt-4o-mini", "gpt-4", "gpt-3.5-turbo", "llama-3-70b"};
        for (int i = 0; i < 24; i++) {
            String prompt = "Say hello to caller " + i + " in a sentence or two, please.".repeat(1 + i % 4);
            chat("caller-" + i, String.format(CHAT, models[i % models.length], prompt), 200);
        }
        for (int i = 0; i < 8; i++) {
            upstream.enqueue(Reply.stream(1, TestUpstream.streamChunks().toArray(String[]::new)));
            String body = given().header("Authorization", "Bearer streamer-" + i).contentType(ContentType.JSON)
                    .body(STREAM).when().post("/v1/chat/completions")
                    .then().statusCode(200).extract().asString();
            assertThat(body).endsWith("data: [DONE]\n\n");
        }
        for (int i = 0; i < 4; i++) {
            given().header("Authorization", "Bearer lister").when().get("/v1/models").then().statusCode(200);
        }
        for (int i = 0; i < 5; i++) {
            chat("eager", String.format(CHAT, "gpt-4o", "hi"), 200);
        }
        given().header("Authorization", "Bearer eager").contentType(ContentType.JSON)
                .body(String.format(CHAT, "gpt-4o", "hi")).when().post("/v1/chat/completions")
                .then().statusCode(429).header("retry-after", notNullValue());
        chat("malformed", "{not json", 400);
        given().header("Authorization", "Bearer embedder").contentType(ContentType.JSON)
                .body("{\"model\":\"text-embedding-3-small\",\"input\":\"hi\"}").when().post("/v1/embeddings")
                .then().statusCode(200);
        given().when().get("/q/health/ready").then().statusCode(200);
    }

    private static void chat(String caller, String body, int status) {
        given().header("Authorization", "Bearer " + caller).contentType(ContentType.JSON).body(body)
                .when().post("/v1/chat/completions").then().statusCode(status);
    }
}
