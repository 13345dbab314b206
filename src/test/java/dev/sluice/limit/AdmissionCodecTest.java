package dev.sluice.limit;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdmissionCodecTest {

    private final AdmissionRequest request = new AdmissionRequest(List.of(
            new BucketCharge("caller:\u00e9t\u00e9", new BucketPolicy(5, Rate.perSecond(5)), 1),
            new BucketCharge("upstream:default:requests", new BucketPolicy(10, Rate.perMinute(600)), 3),
            new BucketCharge("quota:caller:x:tokens:day:2026-01-01", new QuotaPolicy(100_000, 1_767_312_000_000_000_000L), 900),
            new BucketCharge("cooldown:upstream:default:model:gpt-4o", CooldownPolicy.INSTANCE, 1),
            new BucketCharge("inflight:caller:x", new ConcurrencyPolicy(3, 10_000_000_000L), 1)),
            1_767_225_600_000_000_000L, 250_000_000L);

    @Test
    void aRequestSurvivesTheRoundTripWithItsOwnClock() {
        List<AdmissionRequest> decoded = AdmissionCodec.decodeRequests(AdmissionCodec.encodeRequests("call-1", List.of(request, request), false), () -> 42);

        assertThat(decoded).containsExactly(request, request);
    }

    @Test
    void aBatchCarriesTheIdOfItsCallAndOnlyAnId() {
        assertThat(AdmissionCodec.decodeCallId(AdmissionCodec.encodeRequests("5f0e-call", List.of(request), true)))
                .isEqualTo("5f0e-call");
        assertThatThrownBy(() -> AdmissionCodec.encodeRequests("", List.of(request), true)).hasMessageContaining("call id");
        assertThatThrownBy(() -> AdmissionCodec.encodeRequests("x".repeat(65), List.of(request), true))
                .hasMessageContaining("call id");
    }

    @Test
    void aRequestForTheServerClockIsDecidedAtTheServersTime() {
        AdmissionRequest decoded = AdmissionCodec.decodeRequests(AdmissionCodec.encodeRequests("call-2", List.of(request), true), () -> 42).get(0);

        assertThat(decoded.nowNanos()).isEqualTo(42);
        assertThat(decoded.charges()).isEqualTo(request.charges());
        assertThat(decoded.maxWaitNanos()).isEqualTo(request.maxWaitNanos());
    }

    @Test
    void aSettlementSurvivesTheRoundTrip() {
        Settlement settlement = new Settlement(
                List.of(new BucketAdjustment("upstream:default:tokens", new BucketPolicy(9000, Rate.perMinute(9000)), -700),
                        new BucketAdjustment("quota:caller:x:tokens:day:2026-01-01", new QuotaPolicy(100, 5), 12),
                        BucketAdjustment.capAt("upstream:default:requests", new BucketPolicy(9, Rate.perMinute(600)), 0),
                        new BucketAdjustment("inflight:caller:x", ConcurrencyPolicy.of(3), ConcurrencyPolicy.release(176_722_560, 1)),
                        new BucketAdjustment("inflight:caller:y", ConcurrencyPolicy.of(3), ConcurrencyPolicy.renewal(176_722_559, 2))),
                List.of(new CounterIncrement("usage:caller:x:day:2026-01-01:requests", 3, 1_000_000_000L)),
                1_767_225_600_000_000_000L);

        Settlement later = new Settlement(List.of(), List.of(new CounterIncrement("usage:caller:y:day:2026-01-01:requests", 1, 5)),
                1_767_225_600_000_000_001L);

        assertThat(AdmissionCodec.decodeSettlements(AdmissionCodec.encodeSettlements(List.of(settlement, later), false), () -> 42))
                .containsExactly(settlement, later);
        assertThat(AdmissionCodec.decodeSettlements(AdmissionCodec.encodeSettlements(List.of(settlement, later), true), () -> 42))
                .extracting(Settlement::nowNanos).containsExactly(42L, 42L);
    }

    @Test
    void aBatchOfSettlementsLocksNoMoreKeysThanTheLargestSettlement() {
        List<CounterIncrement> counters = new java.util.ArrayList<>();
        for (int i = 0; i < AdmissionCodec.MAX_COUNTERS; i++) {
            counters.add(new CounterIncrement("usage:" + i, 1, 5));
        }
        Settlement largest = new Settlement(List.of(), counters, 7);
        Settlement small = new Settlement(List.of(), List.of(new CounterIncrement("usage:other", 1, 5)), 7);

        assertThat(AdmissionCodec.decodeSettlements(AdmissionCodec.encodeSettlements(List.of(largest), false), () -> 0))
                .containsExactly(largest);
        assertThatThrownBy(() -> AdmissionCodec.encodeSettlements(List.of(largest, small, largest), false))
                .hasMessageContaining("keys in all");
        assertThatThrownBy(() -> AdmissionCodec.encodeSettlements(List.of(), false)).hasMessageContaining("1 or more");
    }

    @Test
    void admissionsSurviveTheRoundTrip() {
        Admission admitted = new Admission.Admitted(7, List.of(new BucketSnapshot(5, 4, 200), new BucketSnapshot(10, 0, 1)));
        Admission refused = new Admission.Refused(1, BucketPolicy.NEVER, new BucketSnapshot(10, 0, 99));

        assertThat(AdmissionCodec.decodeAdmissions(AdmissionCodec.encodeAdmissions(List.of(admitted, refused))))
                .containsExactly(admitted, refused);
    }

    @Test
    void rejectsOtherVersionsAndTruncatedBytes() {
        byte[] bytes = AdmissionCodec.encodeRequests("call-3", List.of(request), false);
        bytes[0] = 9;
        assertThatThrownBy(() -> AdmissionCodec.decodeRequests(bytes, () -> 0)).hasMessageContaining("wire version 9");
        assertThatThrownBy(() -> AdmissionCodec.decodeRequests(new byte[]{8, 0, 0}, () -> 0))
                .hasMessageContaining("truncated");
    }
}
