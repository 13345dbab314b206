package dev.sluice.admission;

import dev.sluice.config.SluiceSettings;
import dev.sluice.config.SluiceSettingsTest;
import dev.sluice.limit.BucketAdjustment;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.Rate;
import dev.sluice.usage.AttemptCost;
import dev.sluice.usage.TokenAccounting;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class SettlementsTest {

    private static final BucketPolicy MONTHLY = new BucketPolicy(1_000_000, Rate.perMinute(100_000));
    private static final BucketCharge QUOTA = new BucketCharge("quota:caller:c:tokens:month:2026-01", MONTHLY, 230);
    private static final BucketCharge UPSTREAM = new BucketCharge("upstream:default:tokens", MONTHLY, 225);

    private static final SluiceSettings LIMITED = SluiceSettingsTest.fromEnvironment(Map.of(
            "SLUICE_UPSTREAM_URL", "http://127.0.0.1:9/v1", "SLUICE_UPSTREAM_API_KEY", "sk-managed",
            "SLUICE_UPSTREAM_RPM", "600", "SLUICE_UPSTREAM_TPM", "100000"));
    private static final UpstreamLimits LIMITS = new UpstreamLimits(LIMITED.upstreams().get(0));

    @Test
    void theCallersQuotaSettlesByWhatWasUsedTheUpstreamAsItCounts() {
        List<BucketAdjustment> corrections = Settlements.corrections(List.of(QUOTA), Optional.of(UPSTREAM),
                TokenAccounting.REQUEST, AttemptCost.used(100));

        assertThat(corrections).as("the quota gives back what was not used; the upstream kept its estimate on arrival")
                .containsExactly(new BucketAdjustment(QUOTA.key(), MONTHLY, -130));
    }

    @Test
    void nothingToCorrectIsNoCorrection() {
        assertThat(Settlements.corrections(List.of(), Optional.empty(), TokenAccounting.REQUEST, AttemptCost.UNKNOWN)).isEmpty();
        assertThat(Settlements.corrections(List.of(QUOTA), Optional.of(UPSTREAM), TokenAccounting.USAGE, AttemptCost.UNKNOWN))
                .as("an attempt that may still run keeps its reservations").isEmpty();
    }

    @Test
    void theUpstreamsWordLowersABucketOnlyWhenItSaysLessThanItHeld() {
        Settlements.Left left = new Settlements.Left(OptionalLong.of(5), OptionalLong.empty());

        Settlements.Caps lower = Settlements.caps(LIMITS, left, OptionalLong.of(3), OptionalLong.of(50_000));
        assertThat(lower.adjustments()).extracting(BucketAdjustment::key)
                .containsExactly("upstream:default:requests", "upstream:default:tokens");
        assertThat(lower.requestsShare()).isEqualTo(3.0 / LIMITS.requests().get().capacity());
        assertThat(lower.tokensShare()).isEqualTo(50_000.0 / LIMITS.tokens().get().capacity());

        Settlements.Caps same = Settlements.caps(LIMITS, left, OptionalLong.of(5), OptionalLong.empty());
        assertThat(same.adjustments()).isEmpty();
        assertThat(same.requestsShare()).as("not said").isNegative();
    }
}
