package dev.sluice.limit;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AdmissionBatchTest {

    private static final BucketPolicy TWO = new BucketPolicy(2, Rate.perHour(2));
    private static final long NOW = 1_000_000_000_000L;

    private static AdmissionRequest request(String... keys) {
        return new AdmissionRequest(java.util.Arrays.stream(keys).map(key -> new BucketCharge(key, TWO, 1)).toList(), NOW, 0);
    }

    @Test
    void requestsAreDecidedInOrderEachSeeingTheChargesBeforeIt() {
        List<AdmissionRequest> batch = List.of(request("caller:a", "upstream"), request("caller:b", "upstream"),
                request("caller:c", "upstream"));
        Map<String, Long> states = new HashMap<>();

        AdmissionBatch.Result result = AdmissionBatch.decide(batch, states);

        assertThat(result.admissions()).extracting(admission -> admission instanceof Admission.Admitted)
                .containsExactly(true, true, false);
        // the refused third request charged neither its caller nor the upstream
        assertThat(result.changed()).containsOnlyKeys("caller:a", "caller:b", "upstream");
        assertThat(states).doesNotContainKey("caller:c");
    }

    @Test
    void keysAreListedOnceInLockOrder() {
        assertThat(AdmissionBatch.keys(List.of(request("z", "upstream"), request("a", "upstream"))))
                .containsExactly("a", "upstream", "z");
    }

    @Test
    void aBatchThatAdmitsNothingChangesNothing() {
        Map<String, Long> states = new HashMap<>(Map.of("upstream", TWO.chargedState(LimitPolicy.MISSING, 2, NOW)));

        AdmissionBatch.Result result = AdmissionBatch.decide(List.of(request("caller:a", "upstream")), states);

        assertThat(result.admissions().get(0)).isInstanceOf(Admission.Refused.class);
        assertThat(result.changed()).isEmpty();
    }
}
