package dev.sluice.api;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18 through the official Java SDK with its default settings: 2 retries, each after exactly the
 * {@code retry-after-ms} it was told (clamped to 0..8 s; {@code RetryingHttpClient.getRetryBackoffDuration}
 * in openai-java-core). A burst of 12 concurrent calls from one caller over its bucket of 5 at 5/s all
 * succeed, each call reaching the upstream once, because Sluice tells each refused call a moment of its
 * own, one token apart, and the SDK comes back then. In real time ({@link WallClock}): the SDK's waits are
 * real waits, bounded here only by a generous timeout. The SDK's attempts are counted by a
 * {@link TestRelay} in front of Sluice: its refusals never reach the upstream.
 */
@QuarkusTest
@TestProfile(OpenAiSdkBurstTest.RealTime.class)
@DisabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true", disabledReason = LambdaProfile.NO_SOCKET)
class OpenAiSdkBurstTest {

    static final int CALLS = 12;
    static final int BURST = 5;

    /** The default caller plan, spelled out, on the wall clock. */
    public static class RealTime extends WallClock.Profile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.caller.rate", "5/s", "sluice.caller.burst", Integer.toString(BURST));
        }
    }

    @TestHTTPResource("/")
    URI sluice;

    final TestUpstream upstream = TestUpstreamResource.upstream();

    private static ChatCompletionCreateParams call(int i) {
        return ChatCompletionCreateParams.builder().model("gpt-test").addUserMessage("call " + i).build();
    }

    @Test
    void aBurstOverTheCallersBucketIsAbsorbedByTheSdksOwnRetries() throws Exception {
        upstream.reset();
        ExecutorService threads = Executors.newFixedThreadPool(CALLS);
        TestRelay relay = TestRelay.start(sluice.getPort());
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(relay.baseUrl()).apiKey("sk-sdk-burst").build();
        try {
            // A burst is only one if its first attempts reach Sluice within one refill (200 ms); cold (classes
            // to load, connections to open) they spread further. So the same threads first go every step of
            // the way once, each with a key of its own: withOptions shares the SDK's connection pool, and the
            // burst's bucket stays untouched.
            List<Future<ChatCompletion>> warmUps = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                String key = "sk-sdk-warm-up-" + i;
                OpenAIClient other = client.withOptions(options -> options.apiKey(key));
                warmUps.add(threads.submit(() -> other.chat().completions().create(warmUp())));
            }
            for (Future<ChatCompletion> warmUp : warmUps) {
                warmUp.get(30, TimeUnit.SECONDS);
            }
            upstream.reset();

            CountDownLatch start = new CountDownLatch(1);
            List<Future<ChatCompletion>> calls = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                int n = i;
                calls.add(threads.submit(() -> {
                    start.await();
                    return client.chat().completions().create(call(n));
                }));
            }
            start.countDown();
            for (Future<ChatCompletion> call : calls) {
                // the last of 7 refused calls is told 1.4 s; 30 s only bounds a broken run
                assertThat(call.get(30, TimeUnit.SECONDS).choices()).isNotEmpty();
            }

            List<List<TestRelay.Attempt>> byCall = IntStream.range(0, CALLS).mapToObj(i -> relay.attempts().stream()
                    .filter(attempt -> attempt.body().contains("\"call " + i + "\"")).toList()).toList();
            for (List<TestRelay.Attempt> attempts : byCall) {
                // refused (each time told when to come back) until admitted, every retry the SDK's own
                assertThat(attempts.get(attempts.size() - 1).status()).isEqualTo(200);
                for (int k = 0; k < attempts.size(); k++) {
                    assertThat(attempts.get(k).retryCount()).isEqualTo(Integer.toString(k));
                    if (k < attempts.size() - 1) {
                        assertThat(attempts.get(k).status()).isEqualTo(429);
                        assertThat(attempts.get(k).retryAfterMs()).isNotNull();
                    }
                }
            }
            assertThat(upstream.requests()).as("each call reached the upstream once").hasSize(CALLS);

            long admittedAtOnce = byCall.stream().filter(attempts -> attempts.size() == 1).count();
            long refusedTwice = byCall.stream().filter(attempts -> attempts.size() > 2).count();
            assertThat(admittedAtOnce).as("the bucket, and what refilled while the burst arrived").isGreaterThanOrEqualTo(BURST);
            // A wait told is a hint, not a reservation (RetryPromises): a first attempt that arrives after a
            // refill takes that token, and the call promised it is refused once more. So each call is
            // retried at most once unless the burst spread over a refill, and then only one call per
            // latecomer is retried twice.
            assertThat(refusedTwice).as("calls retried twice, against first attempts admitted after a refill")
                    .isLessThanOrEqualTo(admittedAtOnce - BURST);
        } finally {
            threads.shutdownNow();
            client.close();
            relay.close();
        }
    }

    private static ChatCompletionCreateParams warmUp() {
        return ChatCompletionCreateParams.builder().model("gpt-test").addUserMessage("warm-up").build();
    }
}
