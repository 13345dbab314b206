package dev.sluice.usage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class TokenUsageTest {

    @Test
    void theTotalIsPromptPlusCompletion() {
        assertThat(new TokenUsage(19, 10).totalTokens()).isEqualTo(29);
    }

    @Test
    void refusesNegativeCountsAndOverflow() {
        assertThatIllegalArgumentException().isThrownBy(() -> new TokenUsage(-1, 0)).withMessageContaining("prompt -1");
        assertThatIllegalArgumentException().isThrownBy(() -> new TokenUsage(0, -1)).withMessageContaining("completion -1");
        assertThatIllegalArgumentException().isThrownBy(() -> new TokenUsage(Long.MAX_VALUE, 1)).withMessageContaining("overflow");
    }
}
