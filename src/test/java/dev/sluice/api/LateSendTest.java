package dev.sluice.api;

import dev.sluice.admission.Lease;
import dev.sluice.config.SluiceSettings;
import dev.sluice.keys.CallerKeys;
import dev.sluice.limit.Admission;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.Rate;
import dev.sluice.limit.RateLimiter;
import dev.sluice.tokens.TokenEstimate;
import dev.sluice.upstream.UpstreamPool;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An attempt that leaves later than its admission allowed (an instance still cold, a long pause)
 * takes a fresh place in its upstream's requests bucket first, so that it does not reach the upstream
 * in a clump with the ones admitted after it: 600 requests a minute, a burst of 9 (one every 100 ms).
 */
@QuarkusTest
@TestProfile(LateSendTest.Rpm.class)
class LateSendTest {

    public static class Rpm implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.upstream.rpm", "600", "sluice.caller.burst", "100");
        }
    }

    private static final BucketPolicy UPSTREAM = new BucketPolicy(9, Rate.perMinute(600));

    @Inject
    AdmissionGate gate;
    @Inject
    SluiceSettings settings;

    @Inject
    UpstreamPool pool;

    @Inject
    RateLimiter limiter;

    @BeforeEach
    void fullBuckets() {
        TestClock.refillEverything();
    }

    private Lease admitted() {
        return gate.admit(new CallerIdentity("sk-late", CallerKeys.hash("sk-late"), settings.defaultPlan()), "127.0.0.1", TokenEstimate.NONE, "gpt-test",
                pool.all()).await().indefinitely().lease();
    }

    /** Places left in the upstream's requests bucket now (it takes one to ask, and says what is left after). */
    private long placesLeft() {
        Admission admission = limiter.tryAcquire(List.of(new BucketCharge("upstream:default:requests", UPSTREAM, 1)))
                .toCompletableFuture().join();
        return ((Admission.Admitted) admission).buckets().get(0).availableTokens() + 1;
    }

    /** Places left, asked with a refusal that takes nothing: more than the bucket can ever hold. */
    private long placesLeftWithoutTaking() {
        Admission admission = limiter.tryAcquire(List.of(new BucketCharge("upstream:default:requests", UPSTREAM, 10)))
                .toCompletableFuture().join();
        return ((Admission.Refused) admission).bucket().availableTokens();
    }

    @Test
    void anAttemptWithinTheSlackGoesAsItIs() {
        Lease lease = admitted(); // 8 places left
        TestClock.CLOCK.advanceMillis(70); // t=70 ms: within the 75 ms slack, still no refill

        assertThat(gate.onTime(lease).await().indefinitely()).isSameAs(lease);
        assertThat(placesLeft()).isEqualTo(8);
    }

    @Test
    void aLateAttemptTakesAFreshPlaceAndTheOneItHadStaysUsed() {
        Lease lease = admitted(); // 8 places left
        TestClock.CLOCK.advanceMillis(80); // t=80 ms: 5 ms past the slack, not yet a token back (one per 100 ms)

        Lease again = gate.onTime(lease).await().indefinitely();

        assertThat(again).isNotSameAs(lease);
        assertThat(again.sendAtNanos()).isEqualTo(TestClock.CLOCK.nowNanos());
        assertThat(again.upstream()).isSameAs(lease.upstream());
        assertThat(placesLeftWithoutTaking()).isEqualTo(7); // the late clump takes the upstream's refill itself
    }
}
