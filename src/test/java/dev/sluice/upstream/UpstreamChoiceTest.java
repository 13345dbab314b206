package dev.sluice.upstream;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The order in which a request tries upstreams, with the outlooks set by hand and a seeded random. */
class UpstreamChoiceTest {

    private static final long NOW = 1_000_000_000_000L;

    record Fake(String name, int weight, UpstreamOutlook outlook) implements UpstreamChoice.Candidate {
        Fake(String name, int weight) {
            this(name, weight, new UpstreamOutlook());
        }
    }

    private static List<Fake> order(List<Fake> candidates, Set<String> failed, Random random) {
        return UpstreamChoice.order(candidates, "gpt-4o", failed, NOW, random::nextDouble);
    }

    @Test
    void theUpstreamWithTheMostCapacityLeftComesFirst() {
        Fake a = new Fake("a", 1);
        Fake b = new Fake("b", 1);
        Fake c = new Fake("c", 1);
        a.outlook().admitted(0.2, 1.0);
        b.outlook().admitted(0.9, 0.6); // tokens are b's bottleneck
        c.outlook().admitted(1.0, 0.95);

        assertThat(order(List.of(a, b, c), Set.of(), new Random(1))).containsExactly(c, b, a);
    }

    @Test
    void pausedOrRefusedUpstreamsComeLastEarliestFirstAndBrokenOnesNotAtAll() {
        Fake cooling = new Fake("cooling", 1);
        Fake refused = new Fake("refused", 1);
        Fake broken = new Fake("broken", 1);
        Fake low = new Fake("low", 1);
        cooling.outlook().coolingUntil("gpt-4o", NOW, NOW + 3_000);
        refused.outlook().refusedUntil(NOW + 1_000);
        broken.outlook().breakerOpenUntil(NOW + 2_000, 2_000);
        low.outlook().admitted(0.05, 1.0);

        // an upstream whose breaker is open would only answer 503: another one later is better
        assertThat(order(List.of(cooling, refused, broken, low), Set.of(), new Random(1)))
                .containsExactly(low, refused, cooling);
    }

    @Test
    void whenEveryBreakerIsOpenTheyAreAllTriedSoTheCallerHearsIt() {
        Fake a = new Fake("a", 1);
        Fake b = new Fake("b", 1);
        a.outlook().breakerOpenUntil(NOW + 2_000, 2_000);
        b.outlook().breakerOpenUntil(NOW + 1_000, 1_000);

        assertThat(order(List.of(a, b), Set.of(), new Random(1))).containsExactly(b, a);
    }

    @Test
    void aHalfOpenBreakerTakesOneProbeAndNoMoreUntilItDecides() {
        Fake probed = new Fake("probed", 1);
        Fake other = new Fake("other", 1);
        probed.outlook().breakerOpenUntil(NOW + 1_000, 1_000);
        probed.outlook().breakerHalfOpen();
        other.outlook().admitted(0.5, 1.0);

        assertThat(order(List.of(probed, other), Set.of(), new Random(1))).containsExactly(probed, other);
        probed.outlook().claimProbe(); // one request was admitted to it: that is the probe
        assertThat(order(List.of(probed, other), Set.of(), new Random(1))).containsExactly(other);
        probed.outlook().breakerClosed(); // the probe succeeded
        assertThat(order(List.of(probed, other), Set.of(), new Random(1))).containsExactly(probed, other);
    }

    @Test
    void aPauseIsPerModelAndEndsOnItsOwn() {
        Fake a = new Fake("a", 1);
        Fake b = new Fake("b", 1);
        a.outlook().coolingUntil("gpt-4o", NOW, NOW + 1_000);
        b.outlook().admitted(0.5, 0.5);

        assertThat(UpstreamChoice.order(List.of(a, b), "gpt-4o-mini", Set.of(), NOW, () -> 0.5)).containsExactly(a, b);
        assertThat(UpstreamChoice.order(List.of(a, b), "gpt-4o", Set.of(), NOW, () -> 0.5)).containsExactly(b, a);
        assertThat(UpstreamChoice.order(List.of(a, b), "gpt-4o", Set.of(), NOW + 1_000, () -> 0.5)).containsExactly(a, b);
    }

    @Test
    void anUpstreamTheRequestFailedOnComesAfterEveryOther() {
        Fake a = new Fake("a", 1);
        Fake b = new Fake("b", 1);
        Fake c = new Fake("c", 1);
        b.outlook().admitted(0.1, 0.1);
        c.outlook().refusedUntil(NOW + 1);

        // a just failed: b now, then c when it can, and a again only when nothing else is left
        assertThat(order(List.of(a, b, c), Set.of("a"), new Random(1))).containsExactly(b, c, a);
        assertThat(UpstreamChoice.anotherAvailable(List.of(a, b, c), "gpt-4o", Set.of("a"), NOW)).isTrue();
        assertThat(UpstreamChoice.anotherAvailable(List.of(a, b, c), "gpt-4o", Set.of("a", "b"), NOW)).isFalse();
    }

    @Test
    void weightsShareTheFirstPlaceBetweenEqualUpstreams() {
        Fake light = new Fake("light", 1);
        Fake heavy = new Fake("heavy", 3);
        Random random = new Random(42);
        Map<String, Integer> firsts = new HashMap<>();
        for (int i = 0; i < 40_000; i++) {
            firsts.merge(order(List.of(light, heavy), Set.of(), random).get(0).name(), 1, Integer::sum);
        }

        // weight 3 against 1: first three times in four
        assertThat(firsts.get("heavy") / 40_000.0).isBetween(0.73, 0.77);
    }

    @Test
    void nearlyEqualCapacityCountsAsEqualSoWeightsDecide() {
        Fake a = new Fake("a", 1);
        Fake b = new Fake("b", 1000);
        a.outlook().admitted(0.99, 1.0);
        b.outlook().admitted(0.91, 1.0);

        // same step of capacity: b's weight wins almost always
        assertThat(order(List.of(a, b), Set.of(), new Random(7)).get(0)).isSameAs(b);
        b.outlook().admitted(0.85, 1.0);
        assertThat(order(List.of(a, b), Set.of(), new Random(7)).get(0)).isSameAs(a);
    }

    @Test
    void anAdmissionThatDidNotChargeABucketLeavesWhatWasKnownOfIt() {
        UpstreamOutlook outlook = new UpstreamOutlook();
        outlook.admitted(0.8, 0.3);
        outlook.admitted(0.6, -1); // a retry on the same upstream: a request, its tokens already reserved

        assertThat(outlook.capacityLeft()).isEqualTo(0.3);
        outlook.admitted(0.2, -1);
        assertThat(outlook.capacityLeft()).isEqualTo(0.2);
    }

    @Test
    void anAdmissionClearsAnEarlierRefusalAndAClosedBreakerItsOpening() {
        Fake a = new Fake("a", 1);
        a.outlook().refusedUntil(NOW + 5_000);
        a.outlook().admitted(0.5, 1.0);
        a.outlook().breakerOpenUntil(NOW + 5_000, 5_000);
        assertThat(a.outlook().availableAtNanos("gpt-4o", NOW)).isEqualTo(NOW + 5_000);
        // its delay over, it still refuses until the breaker says it is half-open (or one more delay passed)
        assertThat(a.outlook().breakerRefuses(NOW + 5_000)).isTrue();
        assertThat(a.outlook().breakerRefuses(NOW + 10_000)).isFalse();
        a.outlook().breakerClosed();
        assertThat(a.outlook().availableAtNanos("gpt-4o", NOW)).isLessThanOrEqualTo(NOW);
    }
}
