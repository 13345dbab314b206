package dev.sluice.admission;

import dev.sluice.config.SluiceSettings;
import dev.sluice.config.SluiceSettingsTest;
import dev.sluice.keys.CallerKeys;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.TestTimeSource;
import dev.sluice.tokens.TokenEstimate;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.sluice.admission.LimitScope.CALLER;
import static dev.sluice.admission.LimitScope.CALLER_DAILY_REQUESTS;
import static dev.sluice.admission.LimitScope.CALLER_MONTHLY_TOKENS;
import static dev.sluice.admission.LimitScope.CLIENT_IP;
import static dev.sluice.admission.LimitScope.UPSTREAM_COOLDOWN;
import static dev.sluice.admission.LimitScope.UPSTREAM_KEY;
import static dev.sluice.admission.LimitScope.UPSTREAM_TOKENS;
import static org.assertj.core.api.Assertions.assertThat;

class AdmissionPlanTest {

    private static final long NOW = TestTimeSource.START_NANOS;
    /** A prompt of 30 tokens (100 characters: 25 as a provider estimates them) and a budget of 200. */
    private static final TokenEstimate ESTIMATE = new TokenEstimate(30, 25, 200, 1);

    private static SluiceSettings settings(Map<String, String> variables) {
        return SluiceSettingsTest.fromEnvironment(variables);
    }

    private static final SluiceSettings EVERY_LIMIT = settings(Map.of(
            "SLUICE_UPSTREAM_URL", "http://127.0.0.1:9/v1", "SLUICE_UPSTREAM_API_KEY", "sk-managed",
            "SLUICE_UPSTREAM_RPM", "600", "SLUICE_UPSTREAM_TPM", "100000",
            "SLUICE_CLIENT_IP_RATE", "10/s",
            "SLUICE_CALLER_DAILY_REQUESTS", "1000", "SLUICE_CALLER_MONTHLY_TOKENS", "1000000"));

    private static UpstreamLimits upstream(SluiceSettings settings) {
        return new UpstreamLimits(settings.upstreams().get(0));
    }

    private static List<LimitScope> scopes(List<ScopedCharge> charges) {
        return charges.stream().map(ScopedCharge::scope).toList();
    }

    @Test
    void aFirstAttemptPassesTheCallersRatesThenTheUpstreamsLimitsThenTheQuotas() {
        AdmissionPlan plan = AdmissionPlan.of(EVERY_LIMIT, EVERY_LIMIT.defaultPlan(), "c1", "10.0.0.7", ESTIMATE, "gpt-test", NOW);

        List<ScopedCharge> charges = plan.firstAttemptOn(upstream(EVERY_LIMIT));

        assertThat(scopes(charges)).containsExactly(CALLER, CLIENT_IP, UPSTREAM_COOLDOWN, UPSTREAM_KEY, UPSTREAM_TOKENS,
                CALLER_DAILY_REQUESTS, CALLER_MONTHLY_TOKENS);
        assertThat(charges).extracting(charge -> charge.charge().key()).containsExactly("caller:c1", "ip:10.0.0.7",
                "cooldown:upstream:default:model:gpt-test", "upstream:default:requests", "upstream:default:tokens",
                "quota:caller:c1:requests:day:2026-01-01", "quota:caller:c1:tokens:month:2026-01");
        assertThat(charges).extracting(charge -> charge.charge().tokens())
                .as("the upstream's tokens as it counts them on arrival, the caller's quota by what it may use")
                .containsExactly(1L, 1L, 1L, 1L, ESTIMATE.chargedOnArrival(), 1L, ESTIMATE.reservedTokens());
        assertThat(plan.callerTokenCharges()).extracting(BucketCharge::key).containsExactly("quota:caller:c1:tokens:month:2026-01");
    }

    @Test
    void aRetryIsTheUpstreamsAloneAndCarriesItsTokensOverWhenAsked() {
        AdmissionPlan plan = AdmissionPlan.of(EVERY_LIMIT, EVERY_LIMIT.defaultPlan(), "c1", "10.0.0.7", ESTIMATE, "gpt-test", NOW);

        assertThat(scopes(plan.retryOn(upstream(EVERY_LIMIT), false))).containsExactly(UPSTREAM_COOLDOWN, UPSTREAM_KEY, UPSTREAM_TOKENS);
        assertThat(scopes(plan.retryOn(upstream(EVERY_LIMIT), true))).containsExactly(UPSTREAM_COOLDOWN, UPSTREAM_KEY);
    }

    @Test
    void onlyTheLimitsThatAreSetAreCharged() {
        SluiceSettings callerOnly = settings(Map.of());
        AdmissionPlan plan = AdmissionPlan.of(callerOnly, callerOnly.defaultPlan(), "c1", "10.0.0.7", TokenEstimate.NONE, "gpt-test", NOW);

        assertThat(scopes(plan.firstAttemptOn(upstream(callerOnly)))).containsExactly(CALLER, UPSTREAM_COOLDOWN);
        assertThat(plan.callerTokenCharges()).isEmpty();
    }

    @Test
    void aRequestWhoseTokensNoLimitCountsSkipsTheTokenQuota() {
        AdmissionPlan plan = AdmissionPlan.of(EVERY_LIMIT, EVERY_LIMIT.defaultPlan(), "c1", "10.0.0.7", TokenEstimate.NONE, "gpt-test", NOW);

        assertThat(scopes(plan.firstAttemptOn(upstream(EVERY_LIMIT)))).doesNotContain(CALLER_MONTHLY_TOKENS, UPSTREAM_TOKENS);
    }

    @Test
    void anUpstreamThatCountsUsageIsChargedWhatTheRequestMayUse() {
        SluiceSettings usage = settings(Map.of("SLUICE_UPSTREAM_URL", "http://127.0.0.1:9/v1",
                "SLUICE_UPSTREAM_API_KEY", "sk-managed", "SLUICE_UPSTREAM_TPM", "100000",
                "SLUICE_UPSTREAM_TOKEN_ACCOUNTING", "usage"));
        AdmissionPlan plan = AdmissionPlan.of(usage, usage.defaultPlan(), "c1", "10.0.0.7", ESTIMATE, "gpt-test", NOW);

        assertThat(plan.tokensOn(upstream(usage))).isEqualTo(ESTIMATE.reservedTokens());
        assertThat(plan.tokensOn(upstream(EVERY_LIMIT))).isEqualTo(ESTIMATE.chargedOnArrival());
    }

    @Test
    void aModelNameTooLongForAKeyIsHashed() {
        String longName = "m".repeat(500);
        AdmissionPlan plan = AdmissionPlan.of(EVERY_LIMIT, EVERY_LIMIT.defaultPlan(), "c1", "10.0.0.7", ESTIMATE, longName, NOW);

        String key = plan.retryOn(upstream(EVERY_LIMIT), true).get(0).charge().key();
        assertThat(key).isEqualTo("cooldown:upstream:default:model:" + CallerKeys.hash(longName)).hasSizeLessThan(128);
    }
}
