package dev.sluice.admission;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryPromisesTest {

    private static final long MS = 1_000_000L;

    @Test
    void concurrentRefusalsAreToldOneTokenApartInTheOrderTheyCame() {
        RetryPromises promises = new RetryPromises();
        for (int i = 1; i <= 7; i++) {
            assertThat(promises.promise("caller:a", 200 * MS, 200 * MS, 0)).isEqualTo(i * 200 * MS);
        }
    }

    @Test
    void aPromiseIsNeverSoonerThanTheBucketItselfCouldAdmit() {
        RetryPromises promises = new RetryPromises();
        assertThat(promises.promise("k", 200 * MS, 200 * MS, 0)).isEqualTo(200 * MS);
        // a larger request needs longer than the next promised moment: it is told its own wait
        assertThat(promises.promise("k", 900 * MS, 200 * MS, 0)).isEqualTo(900 * MS);
        assertThat(promises.promise("k", 200 * MS, 200 * MS, 0)).isEqualTo(1100 * MS);
    }

    @Test
    void promisesLapseOnceTheirMomentHasPassedAndBucketsAreApart() {
        RetryPromises promises = new RetryPromises();
        promises.promise("k", 200 * MS, 200 * MS, 0);
        promises.promise("k", 200 * MS, 200 * MS, 0);
        assertThat(promises.promise("other", 200 * MS, 200 * MS, 0)).isEqualTo(200 * MS);
        assertThat(promises.promise("k", 200 * MS, 200 * MS, 5_000 * MS)).as("long after").isEqualTo(200 * MS);
    }

    @Test
    void aFloodOfBucketsStaysBounded() {
        RetryPromises promises = new RetryPromises();
        for (int i = 0; i < RetryPromises.MAX_KEYS * 2; i++) {
            assertThat(promises.promise("key-" + i, 200 * MS, 200 * MS, 0)).isEqualTo(200 * MS);
        }
    }
}
