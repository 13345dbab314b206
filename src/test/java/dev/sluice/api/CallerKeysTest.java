package dev.sluice.api;

import dev.sluice.keys.CallerKeys;
import dev.sluice.keys.KeyRecord;
import dev.sluice.keys.KeyRegistry;
import dev.sluice.keys.KeyStore;
import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * Managed mode with keys required (the default outside the other tests): only keys set in the
 * environment or issued into the store get in, each with its plan's limits; anything else is a 401
 * that costs no bucket and reaches no upstream.
 */
@QuarkusTest
@TestProfile(CallerKeysTest.KeysRequired.class)
class CallerKeysTest {

    static final String ALICE = "sk-sluice-alice-static-key-for-tests-0000000000";
    static final String BOB = "sk-sluice-bob-static-key-for-tests-000000000000";
    static final String CAROL = "sk-sluice-carol-static-key-for-tests-0000000000";

    public static class KeysRequired implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(
                    Map.entry("sluice.upstream.api-key", "sk-company"),
                    Map.entry("sluice.accept-any-key", "false"),
                    // each address gets one request an hour: a refused key must not spend it
                    Map.entry("sluice.client-ip.rate", "1000/h"),
                    Map.entry("sluice.client-ip.burst", "3"),
                    Map.entry("sluice.plans.basic.rate", "1/h"),
                    Map.entry("sluice.plans.basic.burst", "1"),
                    Map.entry("sluice.plans.basic.models", "gpt-test"),
                    Map.entry("sluice.keys.alice.sha256", CallerKeys.hash(ALICE)),
                    Map.entry("sluice.keys.bob.sha256", CallerKeys.hash(BOB)),
                    Map.entry("sluice.keys.bob.plan", "basic"),
                    Map.entry("sluice.plans.metered.tpm", "1000"),
                    Map.entry("sluice.keys.carol.sha256", CallerKeys.hash(CAROL)),
                    Map.entry("sluice.keys.carol.plan", "metered"));
        }
    }

    TestUpstream upstream = TestUpstreamResource.upstream();

    @Inject
    KeyStore store;
    @Inject
    KeyRegistry registry;

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    private static ValidatableResponse chat(String token, String model) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .when().post("/v1/chat/completions").then();
    }

    @Test
    void anUnknownKeyIs401AndCostsNothing() {
        for (int i = 0; i < 5; i++) {
            chat("sk-made-up-" + i, "gpt-test").statusCode(401)
                    .body("error.code", equalTo("invalid_api_key"))
                    .body("error.type", equalTo("invalid_request_error"))
                    .body("error.param", nullValue())
                    .body("error.message", equalTo("Incorrect API key provided. Ask the administrator of this gateway for a key."));
        }
        given().header("Authorization", "Bearer sk-made-up").when().get("/v1/models").then().statusCode(401);

        assertThat(upstream.requests()).as("no upstream call").isEmpty();
        // the address's bucket (3 at once) was not touched by the five refusals
        chat(ALICE, "gpt-test").statusCode(200);
        assertThat(upstream.requests()).singleElement()
                .satisfies(request -> assertThat(request.headers().get("Authorization")).isEqualTo("Bearer sk-company"));
    }

    @Test
    void aKeyGetsItsPlansLimitsAndModels() {
        chat(BOB, "gpt-test").statusCode(200);
        chat(BOB, "gpt-test").statusCode(429).header(RateLimitedException.SCOPE_HEADER, "caller")
                .header("x-ratelimit-limit-requests", "1") // the key's own plan's bucket, not the default's 5
                .header("x-ratelimit-remaining-requests", "0")
                .header("retry-after", "3600");
        chat(BOB, "gpt-other").statusCode(404).body("error.code", equalTo("model_not_found"));

        chat(ALICE, "gpt-test").statusCode(200);
        chat(ALICE, "gpt-test").statusCode(200); // the default plan: 5 at once
    }

    @Test
    void anIssuedKeyWorksOnceInTheStoreAndStopsWhenDisabledExpiredOrRemoved() throws Exception {
        String secret = CallerKeys.generate(new SecureRandom());
        KeyRecord record = KeyRecord.issued("key_test_issued", "test", "basic", CallerKeys.hash(secret),
                Instant.ofEpochSecond(0, TestClock.CLOCK.nowNanos()));
        chat(secret, "gpt-test").statusCode(401);

        put(record);
        chat(secret, "gpt-test").statusCode(200);

        put(record.withDisabled(true));
        chat(secret, "gpt-test").statusCode(401);

        put(record.withExpiry(Optional.of(Instant.ofEpochSecond(0, TestClock.CLOCK.nowNanos()))));
        chat(secret, "gpt-test").statusCode(401);

        put(record);
        TestClock.refillEverything();
        chat(secret, "gpt-test").statusCode(200);
        store.remove(record.id()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        registry.reload().toCompletableFuture().get(5, TimeUnit.SECONDS);
        chat(secret, "gpt-test").statusCode(401);
    }

    private void put(KeyRecord record) throws Exception {
        store.put(record).toCompletableFuture().get(5, TimeUnit.SECONDS);
        registry.reload().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aPlansTokensPerMinuteLimitsItsKeys() {
        given().header("Authorization", "Bearer " + CAROL).contentType(ContentType.JSON)
                .body("{\"model\":\"gpt-test\",\"max_tokens\":2000,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .when().post("/v1/chat/completions").then().statusCode(429)
                .header(RateLimitedException.SCOPE_HEADER, "caller-tokens")
                .header("x-ratelimit-limit-tokens", "1000")
                .body("error.message", org.hamcrest.Matchers.startsWith("Request too large for the caller's tokens per minute limit"));
        given().header("Authorization", "Bearer " + CAROL).contentType(ContentType.JSON)
                .body("{\"model\":\"gpt-test\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .when().post("/v1/chat/completions").then().statusCode(200);
        assertThat(upstream.requests()).hasSize(1);
    }

    @Test
    void theModelListShowsOnlyThePlansModels() {
        String models = "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-test\",\"object\":\"model\"},"
                + "{\"id\":\"gpt-other\",\"object\":\"model\"}]}";
        upstream.enqueue(TestUpstream.Reply.json(200, models, Map.of()), TestUpstream.Reply.json(200, models, Map.of()));

        given().header("Authorization", "Bearer " + BOB).when().get("/v1/models").then().statusCode(200)
                .body("data.id", org.hamcrest.Matchers.contains("gpt-test"));
        given().header("Authorization", "Bearer " + ALICE).when().get("/v1/models").then().statusCode(200)
                .body("data.id", org.hamcrest.Matchers.contains("gpt-test", "gpt-other"));
    }
}
