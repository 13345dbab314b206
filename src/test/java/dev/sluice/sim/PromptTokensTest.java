package dev.sluice.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromptTokensTest {

    private static ApiRequest chat(String json) throws ApiRequest.BadRequest {
        return ApiRequest.parse(true, json.getBytes(StandardCharsets.UTF_8), 16);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // 3 priming + per message 3 + ceil(chars / 4)
            "[{\"role\":\"user\",\"content\":\"\"}]                                        | 6",
            "[{\"role\":\"user\",\"content\":\"Say hello\"}]                               | 9",
            "[{\"role\":\"user\",\"content\":\"abcd\"}]                                    | 7",
            "[{\"role\":\"system\",\"content\":\"abcde\"},{\"role\":\"user\",\"content\":\"abcdefgh\"}] | 13",
            "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"abcde\"},{\"type\":\"text\",\"text\":\"a\"}]}] | 9",
            "[{\"role\":\"assistant\",\"content\":null}]                                 | 6",
    })
    void estimatesChatPrompts(String messages, long promptTokens) throws Exception {
        assertThat(chat("{\"model\":\"m\",\"messages\":" + messages + "}").promptTokens()).isEqualTo(promptTokens);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"abcdefghi\"           | 3 | 1",
            "[\"abc\",\"defgh\"]     | 3 | 2",
            "[1,2,3,4]               | 4 | 1",
            "[[1,2],[3]]             | 3 | 2",
    })
    void estimatesEmbeddingInputs(String input, long promptTokens, int inputs) throws Exception {
        ApiRequest request = ApiRequest.parse(false, ("{\"model\":\"e\",\"input\":" + input + "}").getBytes(StandardCharsets.UTF_8), 16);

        assertThat(request.promptTokens()).isEqualTo(promptTokens);
        assertThat(request.choices()).isEqualTo(inputs);
        assertThat(request.tokenCost()).isEqualTo(promptTokens);
    }

    @Test
    void chargesThePromptAndTheMostTheReplyMayTakeForEveryChoice() throws Exception {
        String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]"; // 9 prompt tokens

        assertThat(chat("{\"model\":\"m\"," + messages + "}").tokenCost()).isEqualTo(9 + 16);
        assertThat(chat("{\"model\":\"m\"," + messages + ",\"max_tokens\":100}").tokenCost()).isEqualTo(9 + 100);
        assertThat(chat("{\"model\":\"m\"," + messages + ",\"max_tokens\":100,\"max_completion_tokens\":50,\"n\":3}")
                .tokenCost()).isEqualTo(9 + 50 * 3);
    }

    @Test
    void aBodyThatCannotBeServedNamesTheParameter() {
        assertThatThrownBy(() -> chat("{\"model\":\"m\",\"messages\":[]}"))
                .isInstanceOfSatisfying(ApiRequest.BadRequest.class, e -> assertThat(e.param).isEqualTo("messages"));
        assertThatThrownBy(() -> chat("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                .isInstanceOfSatisfying(ApiRequest.BadRequest.class, e -> assertThat(e.param).isEqualTo("model"));
        assertThatThrownBy(() -> chat("{\"model\":\"m\",\"messages\":[{}],\"max_tokens\":0}"))
                .isInstanceOfSatisfying(ApiRequest.BadRequest.class, e -> assertThat(e.param).isEqualTo("max_tokens"));
        assertThatThrownBy(() -> chat("{\"model\":"))
                .isInstanceOfSatisfying(ApiRequest.BadRequest.class, e -> assertThat(e.param).isNull());
    }
}
