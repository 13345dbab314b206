package dev.sluice.content;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DenyRulesTest {

    private static final DenyRules RULES = DenyRules.parse(List.of(
            "# what the fleet must never send",
            "",
            "card-number: \\b(?:\\d[ -]?){13,16}\\b",
            "codename: \"Project Nightjar\"",
            "secret-key: sk-[A-Za-z0-9]{20,}"));

    @Test
    void readsNamedRegexesAndLiteralPhrasesSkippingCommentsAndBlankLines() {
        assertThat(RULES.rules()).extracting(DenyRule::name).containsExactly("card-number", "codename", "secret-key");
    }

    @Test
    void theFirstRuleThatMatchesAnyTextDenies() {
        assertThat(RULES.check(List.of("hello", "my card is 4111 1111 1111 1111")))
                .isEqualTo(new DenyRules.Denied(RULES.rules().get(0)));
        assertThat(RULES.check(List.of("tell me about project nightjar"))).as("a phrase ignores case")
                .isEqualTo(new DenyRules.Denied(RULES.rules().get(1)));
        assertThat(RULES.check(List.of("Project Nightjar.*"))).isInstanceOf(DenyRules.Denied.class);
        assertThat(RULES.check(List.of("Project Night jar", "nothing to see"))).isInstanceOf(DenyRules.Allowed.class);
    }

    @Test
    void aPhraseIsLiteralNotARegex() {
        DenyRules dots = DenyRules.parse(List.of("dots: \"a.b\""));

        assertThat(dots.check(List.of("axb"))).isInstanceOf(DenyRules.Allowed.class);
        assertThat(dots.check(List.of("A.B"))).isInstanceOf(DenyRules.Denied.class);
    }

    @Test
    void aBacktrackingPatternIsStoppedWithinItsStepsAndTheTextRefused() {
        // JDK 17 memoizes the textbook (a+)+$, but not this: on 32 a's, unbounded, it takes 4.2 billion steps
        // (20 s on this box), on 40 a's hours
        DenyRules catastrophic = DenyRules.parse(List.of("nested: (.*a){12}x"));
        String text = "a".repeat(40);

        DenyRules.Verdict verdict = catastrophic.check(List.of(text));

        assertThat(verdict).isEqualTo(new DenyRules.Undecided(catastrophic.rules().get(0)));
    }

    @Test
    void aBoundedPatternDecidesOnLongTextWithinItsSteps() {
        String longText = "lorem ipsum ".repeat(100_000) + "sk-abcdefghijklmnopqrstuvwxyz";

        assertThat(RULES.check(List.of(longText))).isEqualTo(new DenyRules.Denied(RULES.rules().get(2)));
    }

    @Test
    void aBadLineIsReportedWithItsNumber() {
        assertThatThrownBy(() -> DenyRules.parse(List.of("ok: a", "no colon here"))).hasMessageContaining("line 2");
        assertThatThrownBy(() -> DenyRules.parse(List.of("broken: (unclosed"))).hasMessageContaining("line 1 (rule broken)");
        assertThatThrownBy(() -> DenyRules.parse(List.of("bad name!: x"))).hasMessageContaining("line 1");
    }
}
