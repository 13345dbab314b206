package dev.sluice.api;

import dev.sluice.admission.StoreKeys;
import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

/** The only upstream is pinned to one caller: every other caller has no upstream at all. */
@QuarkusTest
@TestProfile(PinnedUpstreamTest.OnlyPinned.class)
class PinnedUpstreamTest {

    static final String OWNER = "sk-owner";

    public static class OnlyPinned implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.upstreams.private.url", "${sluice.upstream.url}",
                    "sluice.upstreams.private.api-key", "sk-private",
                    "sluice.upstreams.private.callers", StoreKeys.sha256Hex(OWNER));
        }
    }

    TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    @Test
    void onlyTheOwnerReachesIt() {
        given().header("Authorization", "Bearer " + OWNER).contentType(ContentType.JSON).body(CallerLimitTest.BODY)
                .when().post("/v1/chat/completions").then().statusCode(200);
        given().header("Authorization", "Bearer sk-stranger").contentType(ContentType.JSON).body(CallerLimitTest.BODY)
                .when().post("/v1/chat/completions").then().statusCode(404)
                .body("error.code", equalTo("model_not_found"));
        given().header("Authorization", "Bearer sk-stranger").when().get("/v1/models").then().statusCode(200)
                .body("object", equalTo("list")).body("data", empty());

        assertThat(upstream.requests()).singleElement()
                .satisfies(r -> assertThat(r.headers().get("Authorization")).isEqualTo("Bearer sk-private"));
    }
}
