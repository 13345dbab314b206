package dev.sluice.upstream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UpstreamOutlookTest {

    private static final long NOW = 1_000_000_000L;

    @Test
    void onlyAReplyToAnAttemptSentAfterThePauseBeganLiftsIt() {
        UpstreamOutlook outlook = new UpstreamOutlook();
        outlook.coolingUntil("gpt-4o", NOW, NOW + 30_000);

        assertThat(outlook.resumedBy("gpt-4o", NOW - 1, NOW + 10)).as("sent before the 429: it tells of the key before").isFalse();
        assertThat(outlook.resumedBy("gpt-4o", NOW, NOW + 10)).as("sent with it").isFalse();
        assertThat(outlook.resumedBy("gpt-4o-mini", NOW + 5, NOW + 10)).as("another model").isFalse();
        assertThat(outlook.availableAtNanos("gpt-4o", NOW + 10)).isEqualTo(NOW + 30_000);

        assertThat(outlook.resumedBy("gpt-4o", NOW + 5, NOW + 10)).isTrue();
        assertThat(outlook.availableAtNanos("gpt-4o", NOW + 10)).isLessThanOrEqualTo(NOW + 10);
        assertThat(outlook.resumedBy("gpt-4o", NOW + 6, NOW + 11)).as("lifted once, heard once").isFalse();
    }

    @Test
    void aPauseOverByItselfIsNotLiftedAgain() {
        UpstreamOutlook outlook = new UpstreamOutlook();
        outlook.coolingUntil("gpt-4o", NOW, NOW + 100);

        assertThat(outlook.resumedBy("gpt-4o", NOW + 50, NOW + 100)).isFalse();
    }
}
