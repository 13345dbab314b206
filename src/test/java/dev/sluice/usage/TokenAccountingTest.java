package dev.sluice.usage;

import org.junit.jupiter.api.Test;

import static dev.sluice.usage.TokenAccounting.REQUEST;
import static dev.sluice.usage.TokenAccounting.USAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What happens to a charge of 1,000 tokens after an attempt, for each way an upstream counts. */
class TokenAccountingTest {

    private static final long CHARGED = 1_000;

    @Test
    void anAttemptThatNeverArrivedIsGivenBackWholeAndItsChargeMayBeTakenOver() {
        for (TokenAccounting accounting : TokenAccounting.values()) {
            assertThat(accounting.correction(AttemptCost.NOT_SENT, CHARGED)).isEqualTo(-CHARGED);
            assertThat(accounting.givesBackWhole(AttemptCost.NOT_SENT)).isTrue();
        }
    }

    @Test
    void requestAccountingKeepsWhatArrivedWhateverItUsed() {
        assertThat(REQUEST.correction(AttemptCost.used(12), CHARGED)).isZero(); // a short answer: nothing back
        assertThat(REQUEST.correction(AttemptCost.used(5_000), CHARGED)).isZero(); // nor more taken
        assertThat(REQUEST.correction(AttemptCost.FAILED, CHARGED)).isZero(); // unsuccessful requests count, 429s too
        assertThat(REQUEST.correction(AttemptCost.UNKNOWN, CHARGED)).isZero();
        assertThat(REQUEST.givesBackWhole(AttemptCost.FAILED)).isFalse();
    }

    @Test
    void usageAccountingSettlesToWhatWasUsed() {
        assertThat(USAGE.correction(AttemptCost.used(12), CHARGED)).isEqualTo(12 - CHARGED);
        assertThat(USAGE.correction(AttemptCost.used(1_300), CHARGED)).isEqualTo(300); // the estimate was short
        assertThat(USAGE.correction(AttemptCost.FAILED, CHARGED)).isEqualTo(-CHARGED); // used nothing
        assertThat(USAGE.givesBackWhole(AttemptCost.FAILED)).isTrue();
        assertThat(USAGE.correction(AttemptCost.UNKNOWN, CHARGED)).isZero(); // may have used it all
    }

    @Test
    void refusesANegativeChargeAndANegativeUse() {
        assertThatThrownBy(() -> USAGE.correction(AttemptCost.UNKNOWN, -1)).hasMessageContaining("chargedTokens");
        assertThatThrownBy(() -> AttemptCost.used(-1)).hasMessageContaining("used tokens");
    }
}
