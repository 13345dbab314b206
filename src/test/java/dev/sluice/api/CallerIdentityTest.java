package dev.sluice.api;

import dev.sluice.config.SluiceSettings;
import dev.sluice.config.SluiceSettingsTest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CallerIdentityTest {

    private static final SluiceSettings DEFAULTS = SluiceSettingsTest.fromEnvironment(Map.of());

    @Test
    void aTokenHashIdIsShortenedInLogsAndTheTokenNeverShown() {
        CallerIdentity caller = new CallerIdentity("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                DEFAULTS.defaultPlan());

        assertThat(caller.shortId()).isEqualTo("ba7816bf8f01");
        assertThat(caller.toString()).doesNotContain("abc\"").isEqualTo("CallerIdentity[ba7816bf8f01]");
        assertThat(new CallerIdentity("sk-sluice-x", "key_0123456789abcdef01234567", DEFAULTS.defaultPlan()).shortId())
                .as("a key's id is shown whole").isEqualTo("key_0123456789abcdef01234567");
    }

    @Test
    void acceptsAnyCaseOfTheSchemeAndSurroundingSpace() {
        assertThat(CallerIdentity.bearerToken("  bearer   abc ")).isEqualTo("abc");
        assertThat(CallerIdentity.bearerToken("Bearer abc")).isEqualTo("abc");
    }

    @Test
    void refusesMissingEmptyOrOtherSchemes() {
        for (String header : new String[]{null, "", "  ", "Bearer", "Bearer   ", "Basic abc", "abc",
                "Bearer two words", "Bearer caf\u00e9", "Bearer a\u0001b"}) {
            assertThatThrownBy(() -> CallerIdentity.bearerToken(header))
                    .as(String.valueOf(header))
                    .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(401));
        }
    }
}
