package dev.sluice.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a Responses API body is charged on arrival and reports as input tokens, beside chat's. */
class ResponsesChargeTest {

    private static ProviderCharge.Charge chat(String messages, String extra) {
        return ProviderCharge.of(true, "{\"model\":\"gpt-sim\",\"messages\":" + messages + extra + "}", 16);
    }

    private static ProviderCharge.Charge responses(String input, String extra) {
        return ProviderCharge.ofResponses("{\"model\":\"gpt-sim\",\"input\":" + input + extra + "}", 16);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // chat messages | the same conversation as Responses input items
            "[{\"role\":\"user\",\"content\":\"Say hello\"}] | [{\"role\":\"user\",\"content\":\"Say hello\"}]",
            "[{\"role\":\"user\",\"content\":\"Say hello\"}] | [{\"type\":\"message\",\"role\":\"user\",\"content\":\"Say hello\"}]",
            "[{\"role\":\"system\",\"content\":\"You are terse.\"},{\"role\":\"user\",\"content\":\"Summarise the notes\"}]"
                    + " | [{\"role\":\"system\",\"content\":\"You are terse.\"},{\"type\":\"message\",\"role\":\"user\","
                    + "\"content\":[{\"type\":\"input_text\",\"text\":\"Summarise the notes\"}]}]",
            "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"abcde\"},{\"type\":\"text\",\"text\":\"fgh\"}]}]"
                    + " | [{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"abcde\"},"
                    + "{\"type\":\"input_text\",\"text\":\"fgh\"}]}]",
    })
    void theSameMessagesCostTheSameOnBothApis(String messages, String input) {
        ProviderCharge.Charge chat = chat(messages, ",\"max_tokens\":100");
        ProviderCharge.Charge responses = responses(input, ",\"max_output_tokens\":100");

        assertThat(responses).isEqualTo(chat);
        assertThat(responses.onArrival()).isGreaterThan(100); // the input's estimate on top of the maximum
    }

    @Test
    void aStringInputIsOneUserMessageAndChargesItsOwnCharacters() {
        ProviderCharge.Charge responses = responses("\"Say hello\"", "");

        // "Say hello": 9 characters → 3 tokens on arrival (chat's message also counts its role "user": 4),
        // + the default maximum 16; the usage counts one user message, as chat does: 9
        assertThat(responses.onArrival()).isEqualTo(3 + 16);
        assertThat(responses.promptTokens())
                .isEqualTo(chat("[{\"role\":\"user\",\"content\":\"Say hello\"}]", "").promptTokens()).isEqualTo(9);
    }

    @Test
    void instructionsAreTheirCharactersOnArrivalAndASystemMessageInTheUsage() {
        ProviderCharge.Charge responses = responses("\"Say hello\"", ",\"instructions\":\"You are terse.\",\"max_output_tokens\":16");

        assertThat(responses.onArrival()).isEqualTo((14 + 9 + 3) / 4 + 16); // ceil(23 / 4) = 6, + 16
        assertThat(responses.promptTokens()).isEqualTo(chat("[{\"role\":\"system\",\"content\":\"You are terse.\"},"
                + "{\"role\":\"user\",\"content\":\"Say hello\"}]", "").promptTokens());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // body members after the model | param | code
            "\"input\":\"hi\",\"max_output_tokens\":15      | max_output_tokens | integer_below_min_value",
            "\"input\":\"hi\",\"max_output_tokens\":\"16\"  | max_output_tokens | invalid_type",
            "\"messages\":[]                                | input             | ",
            "\"input\":[\"hi\"]                              | input[0]          | invalid_type",
            "\"input\":\"hi\",\"instructions\":7             | instructions      | invalid_type",
    })
    void aBodyOpenAiWouldRefuseIsABadRequestNamingTheParameter(String members, String param, String code) {
        assertThatThrownBy(() -> ApiRequest.parse(Api.RESPONSES, ("{\"model\":\"m\"," + members + "}").getBytes(), 16))
                .isInstanceOfSatisfying(ApiRequest.BadRequest.class, e -> {
                    assertThat(e.param).isEqualTo(param);
                    assertThat(e.code).isEqualTo(code);
                });
    }

    @Test
    void belowTheMinimumSaysWhatOpenAiSays() {
        assertThatThrownBy(() -> ApiRequest.parse(Api.RESPONSES,
                "{\"model\":\"m\",\"input\":\"hi\",\"max_output_tokens\":10}".getBytes(), 16))
                .hasMessage("Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 10"
                        + " instead.");
    }
}
