package dev.sluice.admission;

import dev.sluice.config.SluiceSettings;
import dev.sluice.config.SluiceSettingsTest;
import dev.sluice.limit.Admission;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketSnapshot;
import dev.sluice.limit.TestTimeSource;
import dev.sluice.tokens.TokenEstimate;
import dev.sluice.upstream.Upstream;
import dev.sluice.upstream.UpstreamOutlook;
import dev.sluice.usage.AttemptCost;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules around one attempt, without a store or Quarkus: the lease an admission gives, when a retry
 * carries a reservation over, when a late attempt takes a fresh place, what the outlook learns, and
 * which limits the upstream's own headers put in force.
 */
class AttemptRulesTest {

    private static final TestTimeSource CLOCK = new TestTimeSource();
    private static final TokenEstimate ESTIMATE = new TokenEstimate(30, 25, 200, 1);
    private static final SluiceSettings LIMITED = SluiceSettingsTest.fromEnvironment(Map.of(
            "SLUICE_UPSTREAM_URL", "http://127.0.0.1:9/v1", "SLUICE_UPSTREAM_API_KEY", "sk-managed",
            "SLUICE_UPSTREAM_RPM", "600", "SLUICE_UPSTREAM_TPM", "60000"));
    private static final SluiceSettings REQUESTS_ONLY = SluiceSettingsTest.fromEnvironment(Map.of(
            "SLUICE_UPSTREAM_URL", "http://127.0.0.1:9/v1", "SLUICE_UPSTREAM_API_KEY", "sk-managed"));

    private final UpstreamLimits limits = new UpstreamLimits(LIMITED.upstreams().get(0));
    private final Upstream upstream = new Upstream(LIMITED.upstreams().get(0), LIMITED.resilience(), null, CLOCK);
    private final Upstream other = new Upstream(LIMITED.upstreams().get(0), LIMITED.resilience(), null, CLOCK);
    private final AdmissionPlan plan = AdmissionPlan.of(LIMITED, LIMITED.defaultPlan(), "c1", "10.0.0.7", ESTIMATE, "gpt-test", CLOCK.nowNanos());

    /** The first attempt admitted on {@code upstream} after {@code waitNanos}, each bucket left half full. */
    private Decision.Admitted<Upstream> admittedOn(Upstream candidate, long waitNanos) {
        List<ScopedCharge> charges = plan.firstAttemptOn(limits);
        List<BucketSnapshot> after = charges.stream()
                .map(charge -> new BucketSnapshot(charge.charge().policy().capacity(), charge.charge().policy().capacity() / 2, 0))
                .toList();
        return new Decision.Admitted<>(candidate, charges, new Admission.Admitted(waitNanos, after));
    }

    @Test
    void aLeaseHoldsTheTokenChargeWhatWasLeftAndWhenToSend() {
        long now = CLOCK.nowNanos();
        Lease lease = Lease.of(admittedOn(upstream, 40), now);

        assertThat(lease.upstream()).isSameAs(upstream);
        assertThat(lease.tokenCharge()).map(BucketCharge::tokens).contains(ESTIMATE.chargedOnArrival());
        assertThat(lease.requestsLeft()).hasValue(limits.requests().get().capacity() / 2);
        assertThat(lease.tokensLeft()).hasValue(limits.tokens().get().capacity() / 2);
        assertThat(lease.sendAtNanos()).isEqualTo(now + 40);
    }

    @Test
    void aRetryCarriesTheReservationOverOnlyOnTheSameUpstreamForTheSameTokensWhenItIsGivenBackWhole() {
        Lease failed = Lease.of(admittedOn(upstream, 0), CLOCK.nowNanos());

        assertThat(plan.carriesOver(upstream, limits, failed, AttemptCost.NOT_SENT)).isTrue();
        assertThat(plan.carriesOver(upstream, limits, failed, AttemptCost.FAILED))
                .as("OpenAI counts a failed request's tokens: it keeps what it reserved").isFalse();
        assertThat(plan.carriesOver(upstream, limits, failed, AttemptCost.UNKNOWN))
                .as("an attempt that may have run keeps what it reserved").isFalse();
        assertThat(plan.carriesOver(other, limits, failed, AttemptCost.NOT_SENT)).as("another upstream").isFalse();
        Lease withoutTokens = new Lease(upstream, Optional.empty(), OptionalLong.empty(), OptionalLong.empty(), 0);
        assertThat(plan.carriesOver(upstream, limits, withoutTokens, AttemptCost.NOT_SENT)).isFalse();
        AdmissionPlan bigger = AdmissionPlan.of(LIMITED, LIMITED.defaultPlan(), "c1", "10.0.0.7", new TokenEstimate(60, 50, 200, 1), "gpt-test",
                CLOCK.nowNanos());
        assertThat(bigger.carriesOver(upstream, limits, failed, AttemptCost.NOT_SENT)).as("other tokens").isFalse();

        Lease retry = new Lease(upstream, Optional.empty(), OptionalLong.of(3), OptionalLong.empty(), 99);
        assertThat(retry.withTokensOf(failed)).isEqualTo(
                new Lease(upstream, failed.tokenCharge(), OptionalLong.of(3), failed.tokensLeft(), 99));
    }

    @Test
    void aLateAttemptTakesAFreshPlaceInTheRequestsBucket() {
        Lease lease = Lease.of(admittedOn(upstream, 0), CLOCK.nowNanos());

        assertThat(LateSend.freshPlace(lease, limits, lease.sendAtNanos() + LateSend.SLACK_NANOS)).as("within the slack").isEmpty();
        assertThat(LateSend.freshPlace(lease, limits, lease.sendAtNanos() + LateSend.SLACK_NANOS + 1))
                .contains(new BucketCharge(limits.requestsKey(), limits.requests().get(), 1));
        UpstreamLimits unlimited = new UpstreamLimits(REQUESTS_ONLY.upstreams().get(0));
        assertThat(LateSend.freshPlace(lease, unlimited, lease.sendAtNanos() + TimeUnit.SECONDS.toNanos(5)))
                .as("no requests limit to clump against").isEmpty();
    }

    @Test
    void theOutlookLearnsHowFullTheBucketsAreAndUntilWhenTheyRefuse() {
        UpstreamOutlook outlook = new UpstreamOutlook();
        long now = CLOCK.nowNanos();

        OutlookNotes.admitted(outlook, admittedOn(upstream, 0), limits);
        long requestsCapacity = limits.requests().get().capacity();
        long tokensCapacity = limits.tokens().get().capacity();
        assertThat(outlook.capacityLeft()).isEqualTo(Math.min((double) (requestsCapacity / 2) / requestsCapacity,
                (double) (tokensCapacity / 2) / tokensCapacity));

        ScopedCharge pause = plan.retryOn(limits, false).get(0);
        OutlookNotes.refused(outlook, new Decision.Refused<>(pause, new Admission.Refused(0, 7_000, null)), "gpt-test", now);
        assertThat(outlook.availableAtNanos("gpt-test", now)).as("the model is paused").isEqualTo(now + 7_000);
        assertThat(outlook.availableAtNanos("other-model", now)).as("other models are not").isLessThan(now);

        ScopedCharge requests = plan.retryOn(limits, false).get(1);
        OutlookNotes.refused(outlook, new Decision.Refused<>(requests, new Admission.Refused(1, 3_000, null)), "gpt-test", now);
        assertThat(outlook.availableAtNanos("other-model", now)).as("the buckets refuse every model").isEqualTo(now + 3_000);
        assertThat(outlook.capacityLeft()).isZero();
    }

    @Test
    void aRefusalThatNeverPassesTeachesTheOutlookNothing() {
        UpstreamOutlook outlook = new UpstreamOutlook();
        ScopedCharge requests = plan.retryOn(limits, false).get(1);

        OutlookNotes.refused(outlook, new Decision.Refused<>(requests, new Admission.Refused(1, dev.sluice.limit.BucketPolicy.NEVER, null)),
                "gpt-test", CLOCK.nowNanos());

        assertThat(outlook.capacityLeft()).isEqualTo(1.0);
    }

    @Test
    void aLowerLimitReportedByTheUpstreamIsInForceUntilItReportsOtherwise() {
        UpstreamLimits learning = new UpstreamLimits(LIMITED.upstreams().get(0));

        learning.learn(OptionalLong.of(300), OptionalLong.empty());
        assertThat(learning.requests().get().capacity()).isEqualTo(limits.requests().get().capacity() / 2);
        assertThat(learning.tokens()).as("not reported: unchanged").isEqualTo(limits.tokens());

        learning.learn(OptionalLong.of(900), OptionalLong.of(0));
        assertThat(learning.requests()).as("above the configured limit: the configured one").isEqualTo(limits.requests());
        assertThat(learning.tokens()).as("a meaningless report is ignored").isEqualTo(limits.tokens());
    }
}
