package dev.sluice.limit;

import dev.sluice.limit.memory.InMemoryBucketStore;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class FailoverBucketStoreTest {

    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final TestTimeSource clock = new TestTimeSource();
    private final TestBucketStore shared = new TestBucketStore();
    private final List<String> transitions = new ArrayList<>();
    private final FailoverBucketStore.Listener listener = new FailoverBucketStore.Listener() {
        @Override
        public void unavailable(String store, FailoverBucketStore.Mode mode, Throwable cause) {
            transitions.add("down " + store + " " + mode + ": " + cause.getMessage());
        }

        @Override
        public void misconfigured(String store, String missing) {
            transitions.add("misconfigured " + store + ": " + missing);
        }

        @Override
        public void available(String store) {
            transitions.add("up " + store);
        }
    };
    private final BucketCharge upstream = new BucketCharge("upstream", new BucketPolicy(10, Rate.perMinute(600)), 1);

    private FailoverBucketStore store(FailoverBucketStore.Mode mode) {
        return new FailoverBucketStore(shared, new InMemoryBucketStore(), mode, 0.5, RETRY_NANOS, listener);
    }

    private Admission acquire(FailoverBucketStore store) {
        return store.tryAcquire(new AdmissionRequest(List.of(upstream), clock.nowNanos(), 0)).toCompletableFuture().join();
    }

    @Test
    void closedRefusesWhileTheSharedStoreIsDownAndComesBackWithIt() {
        FailoverBucketStore store = store(FailoverBucketStore.Mode.CLOSED);
        assertThat(acquire(store)).isInstanceOf(Admission.Admitted.class);

        shared.failing = true;
        assertThatThrownBy(() -> acquire(store)).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(StoreUnavailableException.class);
        int callsWhenItFailed = shared.calls();
        for (int i = 0; i < 5; i++) { // within the retry interval: refused without asking the shared store
            assertThatThrownBy(() -> acquire(store)).hasCauseInstanceOf(StoreUnavailableException.class);
        }
        assertThat(shared.calls()).isEqualTo(callsWhenItFailed);
        assertThat(store.sharedAvailable()).isFalse();

        shared.failing = false;
        clock.advanceNanos(RETRY_NANOS); // t=2s: the next request tries again, and succeeds
        assertThat(acquire(store)).isInstanceOf(Admission.Admitted.class);
        assertThat(store.sharedAvailable()).isTrue();
        assertThat(transitions).containsExactly(
                "down test-shared CLOSED: connection refused (test)", "up test-shared");
    }

    @Test
    void aMisconfiguredStoreRefusesInEitherModeSaysWhatItLacksAndIsCheckedAgain() {
        for (FailoverBucketStore.Mode mode : FailoverBucketStore.Mode.values()) {
            transitions.clear();
            FailoverBucketStore store = store(mode);
            shared.failing = true;
            shared.misconfigured = true;

            assertThatThrownBy(() -> acquire(store)).cause().isInstanceOfSatisfying(StoreUnavailableException.class,
                    refusal -> assertThat(refusal.misconfigured()).isTrue());
            assertThatThrownBy(() -> acquire(store)).as("refused at once, open mode too: no local buckets for this")
                    .cause().isInstanceOfSatisfying(StoreUnavailableException.class,
                            refusal -> assertThat(refusal.misconfigured()).isTrue());
            assertThat(store.misconfiguration()).contains("no cache 'x' (test)");
            assertThat(store.sharedAvailable()).isFalse();

            shared.failing = false;
            shared.misconfigured = false;
            clock.advanceNanos(RETRY_NANOS); // the cache was created meanwhile: the next check finds it
            assertThat(acquire(store)).isInstanceOf(Admission.Admitted.class);
            assertThat(store.misconfiguration()).isEmpty();
            assertThat(transitions).containsExactly("misconfigured test-shared: no cache 'x' (test)", "up test-shared");
        }
    }

    @Test
    void aFailedRetryWaitsAnotherInterval() {
        FailoverBucketStore store = store(FailoverBucketStore.Mode.CLOSED);
        shared.failing = true;
        assertThatThrownBy(() -> acquire(store)).hasCauseInstanceOf(StoreUnavailableException.class);

        clock.advanceNanos(RETRY_NANOS); // t=2s: one retry, still down
        assertThatThrownBy(() -> acquire(store)).hasCauseInstanceOf(StoreUnavailableException.class);
        int calls = shared.calls();
        clock.advanceNanos(RETRY_NANOS - 1); // t=4s-1ns: not yet
        assertThatThrownBy(() -> acquire(store)).hasCauseInstanceOf(StoreUnavailableException.class);
        assertThat(shared.calls()).isEqualTo(calls);
        assertThat(transitions).hasSize(1); // one line for the whole outage
    }

    @Test
    void anErrorFromAStoreThatAnswersFailsOnlyThatRequest() {
        FailoverBucketStore store = store(FailoverBucketStore.Mode.CLOSED);
        shared.failing = true;
        shared.answeringWithErrors = true;
        assertThatThrownBy(() -> acquire(store)).hasCauseInstanceOf(StoreUnavailableException.class);

        shared.failing = false;
        assertThat(acquire(store)).isInstanceOf(Admission.Admitted.class); // no interval to sit out
        assertThat(transitions).isEmpty();
    }

    @Test
    void openDecidesWithItsOwnBucketsAtAShareOfEachLimit() {
        FailoverBucketStore store = store(FailoverBucketStore.Mode.OPEN);
        shared.failing = true;
        acquire(store); // the outage begins: the local bucket, emptied, refills at 5 a second

        clock.advanceSeconds(1);
        int admitted = 0;
        for (int i = 0; i < 10; i++) {
            admitted += acquire(store) instanceof Admission.Admitted ? 1 : 0;
        }

        assertThat(admitted).isEqualTo(5); // half of the upstream's 10 a second, and its burst of 10
        assertThat(transitions).containsExactly("down test-shared OPEN: connection refused (test)");
    }

    @Test
    void openHandsRateBucketsOverEmptyWhenTheOutageBegins() {
        FailoverBucketStore store = store(FailoverBucketStore.Mode.OPEN);
        shared.failing = true;

        // What the fleet sent just before is unknown here: no burst on top of it, only the rate.
        assertThat(acquire(store)).as("first request of the outage").isInstanceOf(Admission.Refused.class);
        clock.advanceMillis(200); // one token at 5 a second
        assertThat(acquire(store)).isInstanceOf(Admission.Admitted.class);
        assertThat(acquire(store)).isInstanceOf(Admission.Refused.class);
    }

    @Test
    void openHandsTheRateBucketsItDecidedAloneBackEmpty() {
        FailoverBucketStore store = store(FailoverBucketStore.Mode.OPEN);
        BucketCharge untouched = new BucketCharge("other-upstream", upstream.policy(), 1);
        shared.failing = true;
        acquire(store);

        shared.failing = false; // a restarted server: every bucket full again
        clock.advanceNanos(RETRY_NANOS);
        // The 10 the store would hand out at once were sent while it was away: the request that finds
        // it again empties the bucket there before it is admitted.
        assertThat(acquire(store)).as("the request that finds the store again").isInstanceOf(Admission.Refused.class);
        assertThat(store.sharedAvailable()).isTrue();
        clock.advanceMillis(100); // its rate is untouched: 10 a second
        assertThat(acquire(store)).isInstanceOf(Admission.Admitted.class);
        assertThat(store.tryAcquire(new AdmissionRequest(List.of(new BucketCharge(untouched.key(), untouched.policy(), 10)),
                clock.nowNanos(), 0)).toCompletableFuture().join())
                .as("a bucket nobody decided alone keeps its burst").isInstanceOf(Admission.Admitted.class);
        assertThat(transitions).containsExactly("down test-shared OPEN: connection refused (test)", "up test-shared");
    }

    @Test
    void aRefusalSaysWhenTheStoreIsTriedAgain() {
        FailoverBucketStore store = store(FailoverBucketStore.Mode.CLOSED);
        shared.failing = true;
        assertThatThrownBy(() -> acquire(store)).hasCauseInstanceOf(StoreUnavailableException.class);

        clock.advanceMillis(500);
        Throwable refused = catchThrowable(() -> acquire(store)).getCause();
        assertThat(((StoreUnavailableException) refused).retryAfterNanos())
                .isEqualTo(RETRY_NANOS - TimeUnit.MILLISECONDS.toNanos(500));
    }

    @Test
    void aHandoverThatFailsIsTriedAgainWithTheStore() {
        FailoverBucketStore store = store(FailoverBucketStore.Mode.OPEN);
        shared.failing = true;
        acquire(store);

        clock.advanceNanos(RETRY_NANOS); // still away: the hand-back fails with the store and stays owed
        assertThat(acquire(store)).as("decided alone again").isNotNull();
        assertThat(store.sharedAvailable()).isFalse();

        shared.failing = false;
        clock.advanceNanos(RETRY_NANOS);
        assertThat(acquire(store)).as("emptied at the second try").isInstanceOf(Admission.Refused.class);
        assertThat(store.sharedAvailable()).isTrue();
    }

    @Test
    void aQuotaIsNeverEmptiedByAHandover() {
        FailoverBucketStore store = store(FailoverBucketStore.Mode.OPEN);
        BucketCharge daily = new BucketCharge("daily", new QuotaPolicy(100, clock.nowNanos() + TimeUnit.DAYS.toNanos(1)), 1);
        shared.failing = true;
        AdmissionRequest request = new AdmissionRequest(List.of(daily), clock.nowNanos(), 0);
        assertThat(store.tryAcquire(request).toCompletableFuture().join()).isInstanceOf(Admission.Admitted.class);

        shared.failing = false;
        clock.advanceNanos(RETRY_NANOS);
        for (int i = 0; i < 5; i++) {
            assertThat(store.tryAcquire(new AdmissionRequest(List.of(daily), clock.nowNanos(), 0)).toCompletableFuture().join())
                    .isInstanceOf(Admission.Admitted.class);
        }
    }

    @Test
    void closedModeHandsNothingOver() {
        FailoverBucketStore store = store(FailoverBucketStore.Mode.CLOSED);
        shared.failing = true;
        assertThatThrownBy(() -> acquire(store)).hasCauseInstanceOf(StoreUnavailableException.class);

        shared.failing = false;
        clock.advanceNanos(RETRY_NANOS);
        for (int i = 0; i < 10; i++) { // the whole burst: nothing was sent while the store was away
            assertThat(acquire(store)).isInstanceOf(Admission.Admitted.class);
        }
    }

    @Test
    void aShareNeverShrinksABucketBelowOneToken() {
        FailoverBucketStore store = new FailoverBucketStore(shared, new InMemoryBucketStore(),
                FailoverBucketStore.Mode.OPEN, 0.01, RETRY_NANOS, listener);
        AdmissionRequest shrunk = store.localShareOf(new AdmissionRequest(List.of(
                new BucketCharge("caller", new BucketPolicy(5, Rate.perSecond(5)), 1)), clock.nowNanos(), 0));

        assertThat(shrunk.charges().get(0).policy()).isEqualTo(new BucketPolicy(1, Rate.perSecond(1)));
    }
}
