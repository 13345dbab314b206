package dev.sluice.admission;

import dev.sluice.limit.Admission;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.BucketSnapshot;
import dev.sluice.limit.Rate;
import dev.sluice.limit.RateLimiter;
import dev.sluice.limit.TestTimeSource;
import dev.sluice.limit.memory.InMemoryBucketStore;
import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one failover loop, on plain names for upstreams and a real in-memory limiter with a test clock. */
class FailoverTest {

    private final TestTimeSource clock = new TestTimeSource();
    private final RateLimiter limiter = new RateLimiter(new InMemoryBucketStore(), clock, 0);
    private final List<String> asked = new ArrayList<>();
    private final List<String> refusedOn = new ArrayList<>();

    /** One request a second on each upstream, none in reserve. */
    private static final BucketPolicy ONE_A_SECOND = new BucketPolicy(1, Rate.perSecond(1));
    /** The caller's: two requests a minute. */
    private static final BucketPolicy CALLER = new BucketPolicy(2, Rate.perMinute(2));

    private List<ScopedCharge> chargesOn(String upstream) {
        asked.add(upstream);
        return List.of(new ScopedCharge(LimitScope.CALLER, new BucketCharge("caller:c", CALLER, 1)),
                new ScopedCharge(LimitScope.UPSTREAM_KEY, new BucketCharge("upstream:" + upstream, ONE_A_SECOND, 1)));
    }

    private final Function<List<BucketCharge>, Uni<Admission>> decide =
            charges -> Uni.createFrom().completionStage(limiter.tryAcquire(charges));

    private Decision<String> admit(String... order) {
        return Failover.admit(List.of(order), this::chargesOn, decide, (upstream, refused) -> refusedOn.add(upstream))
                .await().indefinitely();
    }

    private void spend(String upstream) {
        limiter.tryAcquire(List.of(new BucketCharge("upstream:" + upstream, ONE_A_SECOND, 1))).toCompletableFuture().join();
    }

    @Test
    void theFirstCandidateThatAdmitsTakesTheRequest() {
        Decision<String> decision = admit("a", "b");

        assertThat(decision).isInstanceOf(Decision.Admitted.class);
        Decision.Admitted<String> admitted = (Decision.Admitted<String>) decision;
        assertThat(admitted.candidate()).isEqualTo("a");
        assertThat(admitted.after(LimitScope.UPSTREAM_KEY)).get().extracting(BucketSnapshot::availableTokens).isEqualTo(0L);
        assertThat(admitted.after(LimitScope.UPSTREAM_TOKENS)).isEmpty();
        assertThat(asked).containsExactly("a");
    }

    @Test
    void anUpstreamsRefusalPassesTheRequestToTheNext() {
        spend("a");

        Decision<String> decision = admit("a", "b");

        assertThat(decision).isInstanceOfSatisfying(Decision.Admitted.class,
                admitted -> assertThat(admitted.candidate()).isEqualTo("b"));
        assertThat(asked).containsExactly("a", "b");
        assertThat(refusedOn).containsExactly("a");
    }

    @Test
    void theCallersRefusalEndsTheLoop() {
        admit("a");
        clock.advanceSeconds(1);
        admit("a"); // the caller's two a minute are spent

        clock.advanceSeconds(1);
        asked.clear();
        Decision<String> decision = admit("a", "b");

        assertThat(decision).isInstanceOfSatisfying(Decision.Refused.class,
                refused -> assertThat(refused.by().scope()).isEqualTo(LimitScope.CALLER));
        assertThat(asked).as("no other upstream changes the caller's limit").containsExactly("a");
        assertThat(refusedOn).isEmpty();
    }

    @Test
    void whenEveryUpstreamRefusesTheOneFreeFirstIsReported() {
        spend("a");
        clock.advanceMillis(400);
        spend("b"); // a is free again in 600 ms, b in 1 s

        Decision<String> decision = admit("b", "a");

        assertThat(decision).isInstanceOfSatisfying(Decision.Refused.class, refused -> {
            assertThat(refused.by().charge().key()).isEqualTo("upstream:a");
            assertThat(refused.refusal().retryAfterNanos()).isEqualTo(600_000_000L);
        });
        assertThat(refusedOn).containsExactly("b", "a");
    }

    @Test
    void noCandidateIsAMistake() {
        assertThatThrownBy(() -> Failover.admit(List.<String>of(), this::chargesOn, decide, (upstream, refused) -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
