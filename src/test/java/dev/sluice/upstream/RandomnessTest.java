package dev.sluice.upstream;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RandomnessTest {

    @Test
    void drawsAreUniformOnTheUnitInterval() {
        int draws = 200_000;
        int[] deciles = new int[10];
        double sum = 0;
        for (int i = 0; i < draws; i++) {
            double draw = Randomness.nextDouble();
            assertThat(draw).isGreaterThanOrEqualTo(0).isLessThan(1);
            deciles[(int) (draw * 10)]++;
            sum += draw;
        }

        assertThat(sum / draws).isCloseTo(0.5, within(0.005));
        for (int count : deciles) {
            assertThat(count).isBetween(draws / 10 - 1_000, draws / 10 + 1_000); // ~5 standard deviations
        }
    }

    /**
     * Two clones of one snapshot draw the same sequence from ThreadLocalRandom; with their own salts
     * their jitter parts: about half the pairs of draws order one way, half the other, and they
     * never coincide.
     */
    @Test
    void clonesWithTheSameDrawsButTheirOwnSaltsDrawIndependently() {
        SplittableRandom shared = new SplittableRandom(42); // what every clone would draw
        long saltA = 0x1234_5678_9abc_def0L;
        long saltB = 0x0fed_cba9_8765_4321L;
        int draws = 100_000;
        int aFirst = 0;
        for (int i = 0; i < draws; i++) {
            long draw = shared.nextLong();
            double a = Randomness.toUnit(Randomness.mix(draw, saltA));
            double b = Randomness.toUnit(Randomness.mix(draw, saltB));
            assertThat(a).isNotEqualTo(b);
            if (a < b) {
                aFirst++;
            }
        }

        assertThat(aFirst).isBetween(draws / 2 - 1_000, draws / 2 + 1_000);
        assertThat(Randomness.mix(7, saltA)).as("same draw and salt, same value").isEqualTo(Randomness.mix(7, saltA));
    }

    @Test
    void aRestoreDrawsANewSalt() {
        long before = Randomness.salt();

        Randomness.reseed();

        assertThat(Randomness.salt()).isNotEqualTo(before);
    }
}
