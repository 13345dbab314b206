package dev.sluice.limit;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Deciding several buckets at once, all or nothing, with bounded waits. */
class AdmissionRequestTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long FULL = Long.MIN_VALUE;

    private final TestTimeSource clock = new TestTimeSource();
    private final BucketPolicy caller = new BucketPolicy(2, Rate.perSecond(10));   // 100 ms a token
    private final BucketPolicy upstream = new BucketPolicy(1, Rate.perSecond(4));  // 250 ms a token

    private AdmissionRequest request(long maxWaitNanos) {
        return new AdmissionRequest(List.of(
                new BucketCharge("caller:a", caller, 1),
                new BucketCharge("upstream:main", upstream, 1)), clock.nowNanos(), maxWaitNanos);
    }

    @Test
    void admitsWhenEveryBucketHasTokensAndChargesThemAll() {
        AdmissionRequest.Decision decision = request(0).decide(new long[]{FULL, FULL});

        assertThat(decision.admitted()).isTrue();
        Admission.Admitted admitted = (Admission.Admitted) decision.admission();
        assertThat(admitted.waitNanos()).isZero();
        assertThat(admitted.buckets()).containsExactly(
                new BucketSnapshot(2, 1, 100 * MS),
                new BucketSnapshot(1, 0, 250 * MS));
        long now = clock.nowNanos();
        assertThat(decision.chargedStates()).containsExactly(now + 100 * MS, now + 250 * MS);
    }

    @Test
    void refusesWithoutChargingAnyBucketWhenOneIsEmpty() {
        long now = clock.nowNanos();
        long emptyUpstream = now + 250 * MS;

        AdmissionRequest.Decision decision = request(0).decide(new long[]{FULL, emptyUpstream});

        assertThat(decision.admitted()).isFalse();
        assertThat(decision.chargedStates()).isNull(); // the caller's bucket keeps its token
        Admission.Refused refused = (Admission.Refused) decision.admission();
        assertThat(refused.chargeIndex()).isEqualTo(1);
        assertThat(refused.retryAfterNanos()).isEqualTo(250 * MS);
        assertThat(refused.bucket()).isEqualTo(new BucketSnapshot(1, 0, 250 * MS));
        assertThat(refused.neverAdmissible()).isFalse();
    }

    @Test
    void namesTheBucketThatNeedsTheLongestWait() {
        long now = clock.nowNanos();
        long emptyCaller = now + 200 * MS;     // next token in 100 ms
        long emptyUpstream = now + 250 * MS;   // next token in 250 ms

        Admission.Refused refused = (Admission.Refused) request(0).decide(new long[]{emptyCaller, emptyUpstream}).admission();

        assertThat(refused.chargeIndex()).isEqualTo(1);
        assertThat(refused.retryAfterNanos()).isEqualTo(250 * MS);
    }

    @Test
    void holdsARequestThatFitsWithinTheMaxWaitAndChargesEveryBucketForWhenItIsSent() {
        long now = clock.nowNanos();
        long emptyUpstream = now + 250 * MS;

        AdmissionRequest.Decision decision = request(300 * MS).decide(new long[]{FULL, emptyUpstream});

        Admission.Admitted admitted = (Admission.Admitted) decision.admission();
        assertThat(admitted.waitNanos()).isEqualTo(250 * MS);
        // the caller's token is taken at t=250ms, when the request is sent, not at t=0
        assertThat(decision.chargedStates()).containsExactly(now + 350 * MS, now + 500 * MS);
    }

    @Test
    void refusesAtOnceWhenTheWaitWouldExceedTheMaxWait() {
        long now = clock.nowNanos();

        AdmissionRequest.Decision decision = request(249 * MS).decide(new long[]{FULL, now + 250 * MS});

        assertThat(decision.admitted()).isFalse();
        assertThat(((Admission.Refused) decision.admission()).retryAfterNanos()).isEqualTo(250 * MS);
    }

    @Test
    void reservationsAreServedInTheOrderTheyWereMade() {
        long[] tat = {FULL, FULL};
        long previousSendAt = Long.MIN_VALUE;
        for (int i = 0; i < 6; i++) {
            clock.advanceMillis(10); // t=10ms, 20ms, ...: requests arrive faster than the upstream's 4/s
            AdmissionRequest.Decision decision = request(2000 * MS).decide(tat);
            assertThat(decision.admitted()).as("request %d", i).isTrue();
            tat = decision.chargedStates();
            long sendAt = clock.nowNanos() + ((Admission.Admitted) decision.admission()).waitNanos();
            // each later request is sent 250 ms after the one before it: first come, first served
            if (i > 0) {
                assertThat(sendAt - previousSendAt).isEqualTo(250 * MS);
            }
            previousSendAt = sendAt;
        }
    }

    @Test
    void aRequestLargerThanABucketIsNeverAdmissible() {
        AdmissionRequest tooLarge = new AdmissionRequest(
                List.of(new BucketCharge("caller:a", caller, 3)), clock.nowNanos(), TimeUnit.HOURS.toNanos(1));

        Admission.Refused refused = (Admission.Refused) tooLarge.decide(new long[]{FULL}).admission();

        assertThat(refused.neverAdmissible()).isTrue();
    }

    @Test
    void rejectsMalformedRequests() {
        BucketCharge charge = new BucketCharge("caller:a", caller, 1);
        assertThatThrownBy(() -> new AdmissionRequest(List.of(), 0, 0)).hasMessageContaining("at least one charge");
        assertThatThrownBy(() -> new AdmissionRequest(List.of(charge, charge), 0, 0)).hasMessageContaining("charged twice");
        assertThatThrownBy(() -> new AdmissionRequest(List.of(charge), 0, -1)).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> new AdmissionRequest(List.of(charge), 0, 0).decide(new long[2]))
                .hasMessageContaining("expected 1 bucket states");
    }
}
