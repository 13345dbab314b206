package dev.sluice.api;

import dev.sluice.admission.AdmissionPlan;
import dev.sluice.config.SluiceSettings;
import dev.sluice.keys.CallerKeys;
import dev.sluice.limit.Admission;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.RateLimiter;
import dev.sluice.tokens.TokenEstimate;
import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With {@code SLUICE_MAX_WAIT=2s} and a caller limit of 1/s in bursts of 1, a caller's requests are
 * held for their turn (a second apart) and sent in arrival order; one that would wait longer than
 * two seconds is refused at once. The test clock stands still, so the waits are exact; the holds
 * themselves run on real timers. Each request is sent once the one before has its turn in the store,
 * which fixes the arrival order.
 */
@QuarkusTest
@DisabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true", disabledReason = LambdaProfile.ONE_AT_A_TIME)
@TestProfile(BoundedWaitTest.Waiting.class)
class BoundedWaitTest {

    public static class Waiting implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.max-wait", "2s", "sluice.caller.rate", "1/s", "sluice.caller.burst", "1");
        }
    }

    @TestHTTPResource("/v1/chat/completions")
    URI chatCompletions;

    final HttpClient http = HttpClient.newHttpClient();
    final TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    private CompletableFuture<HttpResponse<String>> send(String token, String label) {
        HttpRequest request = HttpRequest.newBuilder(chatCompletions)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"" + label + "\"}]}"))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    private void awaitUpstreamRequests(int count) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> upstream.requests().size() >= count);
    }

    @Inject
    RateLimiter limiter;
    @Inject
    SluiceSettings settings;

    /**
     * Waits until the caller sk-queued's bucket would hold a new request {@code seconds}: each request
     * admitted for later adds one. Asked with no wait allowed, the store refuses and takes nothing.
     */
    private void awaitQueuedWaitOf(long seconds) {
        String caller = CallerKeys.hash("sk-queued"); // any token is a caller in these tests: its id is its hash
        BucketCharge bucket = AdmissionPlan.of(settings, settings.defaultPlan(), caller, "127.0.0.1", TokenEstimate.NONE, "gpt-test", limiter.nowNanos())
                .callerRates().get(0).charge();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> {
            Admission probe = limiter.tryAcquire(List.of(bucket), 0).toCompletableFuture().get(5, TimeUnit.SECONDS);
            return probe instanceof Admission.Refused refused && refused.retryAfterNanos() >= TimeUnit.SECONDS.toNanos(seconds);
        });
    }

    @Test
    void holdsRequestsForTheirTurnAndSendsThemInArrivalOrder() throws Exception {
        var first = send("sk-queued", "first");       // the burst token: sent at once
        awaitUpstreamRequests(1);
        var second = send("sk-queued", "second");     // held 1 s
        awaitQueuedWaitOf(2); // the second has its turn: a next one would wait 2 s
        var third = send("sk-queued", "third");       // held 2 s, the most allowed
        awaitQueuedWaitOf(3);
        long fourthSentNanos = System.nanoTime();
        HttpResponse<String> fourth = send("sk-queued", "fourth").get(10, TimeUnit.SECONDS);
        long fourthMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fourthSentNanos);

        // The fourth would need 3 s: refused at once, not after waiting
        assertThat(fourth.statusCode()).isEqualTo(429);
        assertThat(fourth.headers().firstValue("retry-after-ms")).hasValue("3000");
        assertThat(fourthMillis).isLessThan(1000);
        assertThat(upstream.requests()).as("refused before the held ones were sent").hasSizeLessThan(3);

        // Meanwhile another caller is not held up by the queue: the event loop is free
        assertThat(send("sk-someone-else", "other").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(upstream.requests()).as("the third is still being held").hasSizeLessThan(4);

        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(second.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(third.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(upstream.requests()).extracting(TestUpstream.RecordedRequest::bodyText)
                .filteredOn(body -> !body.contains("other"))
                .map(body -> body.replaceAll(".*\"content\":\"(\\w+)\".*", "$1"))
                .containsExactly("first", "second", "third");
    }
}
