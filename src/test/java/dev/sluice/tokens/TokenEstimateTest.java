package dev.sluice.tokens;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenEstimateTest {

    @Test
    void reservesThePromptAndTheMostEveryChoiceMayGenerate() {
        assertThat(new TokenEstimate(100, 80, 50, 3).reservedTokens()).isEqualTo(100 + 50 * 3);
        assertThat(new TokenEstimate(100, 80, 0, 1).reservedTokens()).isEqualTo(100); // embeddings
    }

    @Test
    void chargesOnArrivalTheCharacterEstimateAndTheMostEveryChoiceMayGenerate() {
        assertThat(new TokenEstimate(100, 80, 50, 3).chargedOnArrival()).isEqualTo(80 + 50 * 3);
        assertThat(new TokenEstimate(100, 80, 0, 1).chargedOnArrival()).isEqualTo(80);
        assertThat(TokenEstimate.NONE.reservedTokens()).isZero();
        assertThat(TokenEstimate.NONE.chargedOnArrival()).isZero();
    }

    @Test
    void theLargestCompletionBudgetTimesTheMostChoicesDoesNotOverflow() {
        TokenEstimate largest = new TokenEstimate(0, 0, TokenEstimate.MAX_COMPLETION_TOKENS, Integer.MAX_VALUE);

        assertThat(largest.reservedTokens()).isEqualTo(10_000_000L * Integer.MAX_VALUE);
        assertThat(largest.chargedOnArrival()).isEqualTo(10_000_000L * Integer.MAX_VALUE);
    }

    @Test
    void aSumBeyondLongSaturates() {
        assertThat(new TokenEstimate(Long.MAX_VALUE - 5, 0, 10, 1).reservedTokens()).isEqualTo(Long.MAX_VALUE);
        assertThat(new TokenEstimate(0, Long.MAX_VALUE - 5, 10, 1).chargedOnArrival()).isEqualTo(Long.MAX_VALUE);
        assertThat(new TokenEstimate(Long.MAX_VALUE, Long.MAX_VALUE, TokenEstimate.MAX_COMPLETION_TOKENS, Integer.MAX_VALUE)
                .reservedTokens()).isEqualTo(Long.MAX_VALUE);
        assertThat(new TokenEstimate(Long.MAX_VALUE - 10, 0, 10, 1).reservedTokens()).isEqualTo(Long.MAX_VALUE); // exactly
    }

    @Test
    void refusesValuesOutOfBoundsAndSaysWhich() {
        assertThatThrownBy(() -> new TokenEstimate(-1, 0, 0, 1)).hasMessageContaining("promptTokens must");
        assertThatThrownBy(() -> new TokenEstimate(0, -1, 0, 1)).hasMessageContaining("promptTokensFromCharacters");
        assertThatThrownBy(() -> new TokenEstimate(0, 0, -1, 1)).hasMessageContaining("maxCompletionTokens");
        assertThatThrownBy(() -> new TokenEstimate(0, 0, TokenEstimate.MAX_COMPLETION_TOKENS + 1, 1))
                .hasMessageContaining("maxCompletionTokens");
        assertThatThrownBy(() -> new TokenEstimate(0, 0, 0, 0)).hasMessageContaining("choices");
    }
}
