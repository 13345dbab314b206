package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstream.Reply;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * {@code SLUICE_CALLER_CACHE_TTL=10m}, the memory store, and a caller bucket of 2 that never refills here
 * (the test clock stands still): a hit takes nothing from it.
 */
@QuarkusTest
@TestProfile(ReplyCacheTest.Cached.class)
class ReplyCacheTest {

    public static class Cached implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.caller.cache-ttl", "10m", "sluice.caller.burst", "2");
        }
    }

    final TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything(); // also a day later: every kept reply of the tests before has expired
    }

    static String chat(String extra) {
        return "{\"model\":\"gpt-4o\"," + extra + "\"messages\":[{\"role\":\"user\",\"content\":\"" + UUID.randomUUID() + "\"}]}";
    }

    static ValidatableResponse post(String key, String body, String cacheControl) {
        var request = given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(body);
        if (cacheControl != null) {
            request.header("Cache-Control", cacheControl);
        }
        return request.when().post("/v1/chat/completions").then();
    }

    @Test
    void anIdenticalRequestIsAnsweredFromTheCacheWithoutABucketOrAnUpstreamCall() {
        String body = chat("");

        post("sk-cache", body, null).statusCode(200).header(CachedReplies.HEADER, "miss");
        String first = post("sk-cache", body, null).statusCode(200).header(CachedReplies.HEADER, "hit")
                .header("x-request-id", "req-test-1").extract().asString();
        post("sk-cache", body, null).statusCode(200).header(CachedReplies.HEADER, "hit");

        assertThat(first).isEqualTo(TestUpstream.COMPLETION);
        assertThat(upstream.requests()).hasSize(1);
        // two hits took nothing from the bucket of 2: one more request still goes through
        post("sk-cache", chat(""), null).statusCode(200).header(CachedReplies.HEADER, "miss");
    }

    @Test
    void noCacheBypassesItAndTheFreshReplyReplacesTheKeptOne() {
        String body = chat("");
        post("sk-cache-bypass", body, null).statusCode(200);

        post("sk-cache-bypass", body, "no-cache").statusCode(200).header(CachedReplies.HEADER, "miss");

        assertThat(upstream.requests()).hasSize(2);
    }

    @Test
    void aKeptReplyExpiresWithItsTtl() {
        String body = chat("");
        post("sk-cache-ttl", body, null).statusCode(200);

        TestClock.CLOCK.advanceSeconds(601);

        post("sk-cache-ttl", body, null).statusCode(200).header(CachedReplies.HEADER, "miss");
        assertThat(upstream.requests()).hasSize(2);
    }

    @Test
    void onlyRequestsMeantToBeAnsweredAlikeAreKept() {
        String warm = chat("\"temperature\":0.7,");
        String withTools = chat("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"send_mail\"}}],");
        String stream = chat("\"stream\":true,");
        upstream.enqueue(Reply.completion(), Reply.completion(), Reply.completion(), Reply.completion(),
                Reply.stream(0, TestUpstream.streamChunks().toArray(String[]::new)),
                Reply.stream(0, TestUpstream.streamChunks().toArray(String[]::new)));

        for (String body : new String[] {warm, withTools, stream}) {
            ValidatableResponse first = post("sk-cache-" + body.hashCode(), body, null).statusCode(200);
            first.header(CachedReplies.HEADER, (String) null);
            post("sk-cache-" + body.hashCode(), body, null).statusCode(200).header(CachedReplies.HEADER, (String) null);
        }
        assertThat(upstream.requests()).hasSize(6);
    }

    @Test
    void anotherCallersIdenticalRequestIsNotAnsweredFromThisCallersReplies() {
        String body = chat("");
        post("sk-cache-one", body, null).statusCode(200);

        post("sk-cache-two", body, null).statusCode(200).header(CachedReplies.HEADER, "miss");
        assertThat(upstream.requests()).hasSize(2);
    }

    @jakarta.inject.Inject
    UsageCounters counters;

    @Test
    void aHitCountsInTheCallersUsageAsServedByTheCache() throws Exception {
        String body = chat("");
        post("sk-cache-usage", body, null).statusCode(200);
        post("sk-cache-usage", body, null).statusCode(200).header(CachedReplies.HEADER, "hit");
        counters.flush().get(10, java.util.concurrent.TimeUnit.SECONDS);

        given().header("Authorization", "Bearer sk-cache-usage").when().get("/sluice/v1/usage").then().statusCode(200)
                .body("usage.today.requests", equalTo(2)).body("usage.today.cached", equalTo(1));
    }
}
