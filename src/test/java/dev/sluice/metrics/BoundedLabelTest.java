package dev.sluice.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BoundedLabelTest {

    @Test
    void keepsTheFirstValuesThenCallsTheRestOther() {
        BoundedLabel label = new BoundedLabel(2);
        assertThat(label.of("gpt-4o")).isEqualTo("gpt-4o");
        assertThat(label.of("gpt-4o-mini")).isEqualTo("gpt-4o-mini");
        assertThat(label.of("o3")).isEqualTo(BoundedLabel.OTHER);
        assertThat(label.of("gpt-4o")).isEqualTo("gpt-4o");
        assertThat(label.of("")).isEqualTo(BoundedLabel.OTHER);
        assertThat(label.of(null)).isEqualTo(BoundedLabel.OTHER);
    }

    @Test
    void aValueTooLongForAnyModelIsOtherAndTakesNoPlace() {
        BoundedLabel label = new BoundedLabel(1);
        assertThat(label.of("m".repeat(BoundedLabel.MAX_VALUE_CHARS + 1))).isEqualTo(BoundedLabel.OTHER);
        assertThat(label.of("gpt-4o")).as("the long one did not take the only place").isEqualTo("gpt-4o");
    }
}
