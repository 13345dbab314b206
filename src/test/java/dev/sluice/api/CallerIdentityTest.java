package dev.sluice.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CallerIdentityTest {

    @Test
    void identifiesACallerByTheSha256OfTheirToken() {
        CallerIdentity caller = CallerIdentity.fromAuthorization("Bearer abc");

        assertThat(caller.id()).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(caller.shortId()).isEqualTo("ba7816bf8f01");
        assertThat(caller.bearerToken()).isEqualTo("abc");
        assertThat(caller.toString()).doesNotContain("abc\"").isEqualTo("CallerIdentity[ba7816bf8f01]");
    }

    @Test
    void acceptsAnyCaseOfTheSchemeAndSurroundingSpace() {
        assertThat(CallerIdentity.fromAuthorization("  bearer   abc ").id())
                .isEqualTo(CallerIdentity.fromAuthorization("Bearer abc").id());
    }

    @Test
    void refusesMissingEmptyOrOtherSchemes() {
        for (String header : new String[]{null, "", "  ", "Bearer", "Bearer   ", "Basic abc", "abc",
                "Bearer two words", "Bearer caf\u00e9", "Bearer a\u0001b"}) {
            assertThatThrownBy(() -> CallerIdentity.fromAuthorization(header))
                    .as(String.valueOf(header))
                    .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(401));
        }
    }
}
