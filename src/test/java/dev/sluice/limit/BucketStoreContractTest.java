package dev.sluice.limit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link BucketStore} must do, run against each store by a subclass. Keys carry a random
 * prefix per test so that a shared (remote) store needs no cleaning between tests.
 */
public abstract class BucketStoreContractTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int THREADS = 8;

    protected final TestTimeSource clock = new TestTimeSource();
    protected BucketStore store;
    private String prefix;

    /** A store with no buckets in it for the keys this test uses. */
    protected abstract BucketStore createStore();

    @BeforeEach
    void createStoreAndPrefix() {
        store = createStore();
        prefix = "test-" + UUID.randomUUID() + ":";
    }

    private BucketCharge charge(String key, BucketPolicy policy) {
        return new BucketCharge(prefix + key, policy, 1);
    }

    private BucketCharge charge(String key, LimitPolicy policy, long tokens) {
        return new BucketCharge(prefix + key, policy, tokens);
    }

    private void settle(List<BucketAdjustment> adjustments, List<CounterIncrement> counters) {
        try {
            store.settle(new Settlement(adjustments, counters, clock.nowNanos())).toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("store failed", e);
        }
    }

    private BucketAdjustment adjust(BucketCharge charge, long deltaTokens) {
        return new BucketAdjustment(charge.key(), charge.policy(), deltaTokens);
    }

    private Admission acquire(long maxWaitNanos, BucketCharge... charges) {
        try {
            return store.tryAcquire(new AdmissionRequest(List.of(charges), clock.nowNanos(), maxWaitNanos))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("store failed", e);
        }
    }

    private boolean admitted(BucketCharge... charges) {
        return acquire(0, charges) instanceof Admission.Admitted;
    }

    private int admittedOutOf(int attempts, BucketCharge... charges) {
        int admitted = 0;
        for (int i = 0; i < attempts; i++) {
            admitted += admitted(charges) ? 1 : 0;
        }
        return admitted;
    }

    @Test
    void admitsTheCapacityThenRefusesWithTheTimeUntilTheNextToken() {
        BucketCharge charge = charge("k", new BucketPolicy(3, Rate.perSecond(10)));

        assertThat(admittedOutOf(5, charge)).isEqualTo(3);

        Admission.Refused refused = (Admission.Refused) acquire(0, charge);
        assertThat(refused.retryAfterNanos()).isEqualTo(100 * MS);
        assertThat(refused.bucket()).isEqualTo(new BucketSnapshot(3, 0, 300 * MS));
    }

    @Test
    void keepsStateBetweenCallsAndRefillsWithTime() {
        BucketCharge charge = charge("k", new BucketPolicy(2, Rate.perSecond(10)));
        assertThat(admittedOutOf(2, charge)).isEqualTo(2);

        clock.advanceMillis(100); // t=100ms: one token back
        assertThat(admittedOutOf(2, charge)).isEqualTo(1);

        clock.advanceMillis(1000); // t=1.1s: full again, no more than full
        assertThat(admittedOutOf(3, charge)).isEqualTo(2);
    }

    @Test
    void keepsKeysApart() {
        BucketPolicy policy = new BucketPolicy(1, Rate.perMinute(1));
        assertThat(admitted(charge("a", policy))).isTrue();
        assertThat(admitted(charge("b", policy))).isTrue();
        assertThat(admitted(charge("a", policy))).isFalse();
    }

    @Test
    void aRefusalChargesNoneOfTheBuckets() {
        BucketCharge caller = charge("caller", new BucketPolicy(2, Rate.perMinute(2)));
        BucketCharge upstream = charge("upstream", new BucketPolicy(1, Rate.perMinute(1)));
        assertThat(admitted(caller, upstream)).isTrue();

        Admission.Refused refused = (Admission.Refused) acquire(0, caller, upstream);

        assertThat(refused.chargeIndex()).isEqualTo(1);
        assertThat(admitted(caller)).as("the caller's second token is still there").isTrue();
        assertThat(admitted(caller)).isFalse();
    }

    @Test
    void holdsRequestsWithinTheMaxWaitInArrivalOrder() {
        BucketCharge charge = charge("k", new BucketPolicy(1, Rate.perSecond(10))); // 100 ms a token
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Admission admission = acquire(300 * MS, charge);
            if (admission instanceof Admission.Admitted admitted) {
                waits.add(admitted.waitNanos());
            }
        }
        assertThat(waits).containsExactly(0L, 100 * MS, 200 * MS, 300 * MS);
        assertThat(acquire(300 * MS, charge)).isInstanceOf(Admission.Refused.class);
    }

    @Test
    void concurrentRequestsOnOneBucketAdmitExactlyItsCapacity() throws Exception {
        int capacity = 200;
        BucketCharge charge = charge("hot", new BucketPolicy(capacity, Rate.perHour(1)));

        List<Integer> admittedPerThread = runConcurrently(() -> admittedOutOf(60, charge));

        // frozen clock: no refill, so exactly the capacity gets through, however the threads interleave
        assertThat(admittedPerThread.stream().mapToInt(Integer::intValue).sum()).isEqualTo(capacity);
    }

    @Test
    void concurrentRequestsOverSharedAndOwnBucketsAreAllOrNothing() throws Exception {
        BucketPolicy callerPolicy = new BucketPolicy(10, Rate.perHour(1));
        BucketCharge upstream = charge("upstream", new BucketPolicy(100, Rate.perHour(1)));
        List<Integer> admittedPerThread = new ArrayList<>(runConcurrently(new Callable<>() {
            private int next;

            @Override
            public Integer call() {
                BucketCharge caller;
                synchronized (this) {
                    caller = charge("caller-" + next++, callerPolicy);
                }
                return admittedOutOf(30, caller, upstream);
            }
        }));

        // 8 callers of 10 tokens each: 80 requests pass, and the upstream bucket lost exactly 80
        assertThat(admittedPerThread).allMatch(admitted -> admitted == 10);
        assertThat(admittedOutOf(30, charge("one-more-caller", new BucketPolicy(100, Rate.perHour(1))), upstream))
                .isEqualTo(20);
    }

    @Test
    void aQuotaAdmitsItsLimitThenRefusesUntilItsWindowEnds() {
        QuotaPolicy daily = new QuotaPolicy(3, clock.nowNanos() + 10_000 * MS);
        BucketCharge charge = charge("quota", daily, 1);

        assertThat(admittedOutOf(3, charge)).isEqualTo(3);
        clock.advanceNanos(4_000 * MS);

        Admission.Refused refused = (Admission.Refused) acquire(0, charge);
        assertThat(refused.retryAfterNanos()).isEqualTo(6_000 * MS);
        assertThat(refused.bucket()).isEqualTo(new BucketSnapshot(3, 0, 6_000 * MS));
        // a request that would wait for the end of the window is refused, not held
        assertThat(acquire(5_000 * MS, charge)).isInstanceOf(Admission.Refused.class);
    }

    @Test
    void tokenBucketsAndQuotasAreChargedAllOrNothing() {
        BucketCharge tokens = charge("tpm", new BucketPolicy(100, Rate.perHour(100)), 50);
        BucketCharge quota = charge("daily-tokens", new QuotaPolicy(60, clock.nowNanos() + 3_600_000 * MS), 50);

        assertThat(admitted(tokens, quota)).isTrue();
        Admission.Refused refused = (Admission.Refused) acquire(0, tokens, quota);
        assertThat(refused.chargeIndex()).isEqualTo(1);

        // the refusal left the token bucket's 50 remaining tokens where they were
        assertThat(admitted(tokens)).isTrue();
        assertThat(admitted(tokens)).isFalse();
    }

    @Test
    void aSettlementRefundsOrTakesMoreFromABucket() {
        BucketCharge reserved = charge("tpm", new BucketPolicy(100, Rate.perHour(100)), 80);
        assertThat(admitted(reserved)).isTrue();

        settle(List.of(adjust(reserved, -60)), List.of()); // the call used 20 of the 80 it reserved
        assertThat(admitted(charge("tpm", reserved.policy(), 80))).isTrue();

        settle(List.of(adjust(reserved, 30)), List.of()); // this one used 110: the bucket is 30 in debt
        Admission.Refused refused = (Admission.Refused) acquire(0, charge("tpm", reserved.policy(), 1));
        assertThat(refused.retryAfterNanos()).isEqualTo(31 * 36_000 * MS);
    }

    @Test
    void aSettlementRefundsAQuota() {
        BucketCharge reserved = charge("quota", new QuotaPolicy(100, clock.nowNanos() + 3_600_000 * MS), 90);
        assertThat(admitted(reserved)).isTrue();

        settle(List.of(adjust(reserved, -50)), List.of());

        assertThat(admitted(charge("quota", reserved.policy(), 60))).isTrue();
        assertThat(admitted(charge("quota", reserved.policy(), 1))).isFalse();
    }

    @Test
    void countersAddUpAndOnlyWrittenOnesAreRead() throws Exception {
        long keep = 3_600_000 * MS;
        settle(List.of(), List.of(new CounterIncrement(prefix + "a", 3, keep), new CounterIncrement(prefix + "b", 1, keep)));
        settle(List.of(), List.of(new CounterIncrement(prefix + "a", 2, keep)));

        assertThat(store.counters(List.of(prefix + "a", prefix + "b", prefix + "never")).toCompletableFuture()
                .get(30, TimeUnit.SECONDS))
                .containsOnly(java.util.Map.entry(prefix + "a", 5L), java.util.Map.entry(prefix + "b", 1L));
    }

    @Test
    void concurrentReservationsAndRefundsLoseNoUpdate() throws Exception {
        BucketCharge reserved = charge("tpm", new BucketPolicy(100, Rate.perHour(1)), 10);

        runConcurrently(() -> {
            int rounds = 0;
            for (int i = 0; i < 25; i++) {
                if (admitted(reserved)) {
                    settle(List.of(adjust(reserved, -10)), List.of());
                    rounds++;
                }
            }
            return rounds;
        });

        // every reservation was refunded whole: the bucket is full again, to the token
        assertThat(admitted(charge("tpm", reserved.policy(), 100))).isTrue();
    }

    @Test
    void settlementsSentTogetherAreEachAppliedInFull() throws Exception {
        // many requests' corrections of the same upstream key and counter, in flight at once: a store
        // that batches them must apply each one to what the one before it left
        BucketCharge reserved = charge("tpm", new BucketPolicy(1_000, Rate.perHour(1)), 500);
        assertThat(admitted(reserved)).isTrue(); // 500 left
        long keep = 3_600_000 * MS;
        List<java.util.concurrent.CompletableFuture<Void>> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sent.add(store.settle(new Settlement(List.of(adjust(reserved, -2)),
                    List.of(new CounterIncrement(prefix + "tokens", 3, keep)), clock.nowNanos())).toCompletableFuture());
        }
        java.util.concurrent.CompletableFuture.allOf(sent.toArray(java.util.concurrent.CompletableFuture[]::new))
                .get(30, TimeUnit.SECONDS);

        assertThat(store.counters(List.of(prefix + "tokens")).toCompletableFuture().get(30, TimeUnit.SECONDS))
                .containsOnly(java.util.Map.entry(prefix + "tokens", 600L));
        // 200 refunds of 2 gave back 400 of the 500 reserved: 900 in the bucket, not 901
        assertThat(admitted(charge("tpm", reserved.policy(), 900))).isTrue();
        assertThat(admitted(charge("tpm", reserved.policy(), 1))).isFalse();
    }

    @Test
    void aCapLowersABucketToWhatTheUpstreamReportsButNeverRaisesIt() {
        BucketCharge upstream = charge("upstream", new BucketPolicy(10, Rate.perHour(10)), 1);
        assertThat(admitted(upstream)).isTrue(); // 9 left

        settle(List.of(BucketAdjustment.capAt(upstream.key(), upstream.policy(), 2)), List.of());
        assertThat(admittedOutOf(5, upstream)).isEqualTo(2);

        settle(List.of(BucketAdjustment.capAt(upstream.key(), upstream.policy(), 8)), List.of()); // never raises
        assertThat(admitted(upstream)).isFalse();
    }

    @Test
    void aCooldownRefusesUntilItEndsAndOnlyALongerOneExtendsIt() {
        BucketCharge cooldown = charge("cooldown", CooldownPolicy.INSTANCE, 1);
        BucketCharge bucket = charge("bucket", new BucketPolicy(10, Rate.perHour(10)), 1);
        assertThat(admitted(cooldown, bucket)).isTrue(); // no cooldown yet

        settle(List.of(adjust(cooldown, 3_000)), List.of()); // the upstream said: 3 s
        settle(List.of(adjust(cooldown, 1_000)), List.of()); // a shorter one does not shorten it
        clock.advanceNanos(1_000 * MS);

        Admission.Refused refused = (Admission.Refused) acquire(0, cooldown, bucket);
        assertThat(refused.chargeIndex()).isZero();
        assertThat(refused.retryAfterNanos()).isEqualTo(2_000 * MS);
        assertThat(acquire(2_500 * MS, cooldown, bucket)).isInstanceOf(Admission.Admitted.class); // held past it

        clock.advanceNanos(2_000 * MS);
        assertThat(admitted(cooldown, bucket)).isTrue();
    }

    @Test
    void aCooldownIsLiftedByANegativeSettlementAndALiftWithoutOneIsNothing() {
        BucketCharge cooldown = charge("cooldown", CooldownPolicy.INSTANCE, 1);
        settle(List.of(adjust(cooldown, -1)), List.of()); // nothing to lift: no pause appears
        assertThat(admitted(cooldown)).isTrue();

        settle(List.of(adjust(cooldown, 30_000)), List.of());
        assertThat(admitted(cooldown)).isFalse();
        settle(List.of(adjust(cooldown, -1)), List.of()); // the upstream showed capacity again
        assertThat(admitted(cooldown)).isTrue();

        settle(List.of(adjust(cooldown, 5_000)), List.of()); // a new pause after the lift holds again
        assertThat(admitted(cooldown)).isFalse();
    }

    @Test
    void aConcurrencyLimitAdmitsItsSlotsAtOnceWithoutHoldingAndGetsThemBackOnRelease() {
        ConcurrencyPolicy policy = new ConcurrencyPolicy(2, 10_000 * MS);
        BucketCharge slot = charge("inflight", policy, 1);
        long period = policy.periodAt(clock.nowNanos());
        assertThat(admitted(slot)).isTrue();
        assertThat(admitted(slot)).isTrue();

        Admission.Refused refused = (Admission.Refused) acquire(60_000 * MS, slot); // a long max wait holds nothing
        assertThat(refused.retryAfterNanos()).isEqualTo(ConcurrencyPolicy.RETRY_HINT_NANOS);
        assertThat(refused.bucket().availableTokens()).isZero();

        settle(List.of(adjust(slot, ConcurrencyPolicy.release(period, 1))), List.of());
        assertThat(admitted(slot)).isTrue();
        assertThat(admitted(slot)).isFalse();

        // nobody renews them: both lapse once the period after theirs is over
        clock.advanceNanos(10_000 * MS);
        assertThat(admitted(slot)).isFalse();
        clock.advanceNanos(10_000 * MS);
        assertThat(admitted(slot)).isTrue();
    }

    @Test
    void concurrentRequestsOnOneConcurrencyLimitTakeExactlyItsSlots() throws Exception {
        BucketCharge slot = charge("inflight-hot", new ConcurrencyPolicy(50, 10_000 * MS), 1);

        List<Integer> admittedPerThread = runConcurrently(() -> admittedOutOf(20, slot));

        assertThat(admittedPerThread.stream().mapToInt(Integer::intValue).sum()).isEqualTo(50);
    }

    private List<Integer> runConcurrently(Callable<Integer> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return work.call();
                }));
            }
            start.countDown();
            List<Integer> results = new ArrayList<>();
            for (Future<Integer> future : futures) {
                results.add(future.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
