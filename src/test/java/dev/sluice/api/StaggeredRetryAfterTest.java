package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A burst over a caller's bucket (the default plan: 5 at 5/s) is refused with staggered waits, each the
 * moment a token is really free for it, so that clients that wait what they are told (the official SDKs
 * wait exactly {@code retry-after-ms}) come back one at a time (issue 18). The clock stands still: the
 * refusals are as concurrent as can be.
 */
@QuarkusTest
class StaggeredRetryAfterTest {

    final TestUpstream upstream = TestUpstreamResource.upstream();

    private static Response chat() {
        return given().header("Authorization", "Bearer sk-burst-of-twelve").contentType(ContentType.JSON).body(CallerLimitTest.BODY)
                .when().post("/v1/chat/completions");
    }

    @Test
    void aRefusedBurstIsToldToComeBackOneTokenApart() {
        upstream.reset();
        TestClock.refillEverything();
        for (int i = 0; i < 5; i++) {
            assertThat(chat().statusCode()).isEqualTo(200);
        }
        List<Long> told = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Response refused = chat();
            assertThat(refused.statusCode()).isEqualTo(429);
            told.add(Long.parseLong(refused.header("retry-after-ms")));
        }

        assertThat(told).containsExactly(200L, 400L, 600L, 800L, 1000L, 1200L, 1400L);

        // each comes back when told, and finds its token
        for (long waitMillis : told) {
            TestClock.CLOCK.advanceMillis(200);
            assertThat(chat().statusCode()).as("the one told %d ms", waitMillis).isEqualTo(200);
        }
    }
}
