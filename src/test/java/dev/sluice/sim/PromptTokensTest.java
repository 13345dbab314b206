package dev.sluice.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromptTokensTest {

    private static ApiRequest chat(String json) throws ApiRequest.BadRequest {
        return ApiRequest.parse(Api.CHAT, json.getBytes(StandardCharsets.UTF_8), 16);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // 3 per message + cl100k_base tokens of its strings (+1 for a name), + 3 priming
            "[{\"role\":\"user\",\"content\":\"\"}]                                     | 7",  // 3 + "user" 1, + 3
            "[{\"role\":\"user\",\"content\":\"Say hello\"}]                            | 9",  // 3 + 1 + 2, + 3
            "[{\"role\":\"user\",\"content\":\"abcdefgh\"}]                             | 8",  // "abcdefgh" is 1 token
            "[{\"role\":\"system\",\"content\":\"abcde\"},{\"role\":\"user\",\"content\":\"abcdefgh\"}] | 14", // 6 + 5, + 3
            "[{\"role\":\"user\",\"name\":\"bob\",\"content\":\"Say hello\"}]           | 11", // + "bob" 1 + 1
            "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"abcde\"},{\"type\":\"text\",\"text\":\"a\"}]}] | 10", // 2 + 1
            "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}}]}] | 7", // images not modelled
            "[{\"role\":\"assistant\",\"content\":null}]                              | 7",
            "[{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"abcd\"}]     | 11", // 3 + 1 + 3 + 1, + 3
    })
    void countsChatPromptsAsOpenAiDoes(String messages, long promptTokens) throws Exception {
        assertThat(chat("{\"model\":\"m\",\"messages\":" + messages + "}").promptTokens()).isEqualTo(promptTokens);
    }

    @Test
    void countsASpecialTokenInAPromptAsOrdinaryText() throws Exception {
        // 3 + "user" 1 + "<|endoftext|>" 7, + 3: as text, not as the one special token, and without throwing
        assertThat(chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"<|endoftext|>\"}]}")
                .promptTokens()).isEqualTo(14);
    }

    @ParameterizedTest
    @CsvSource({
            // what OpenAI's API reported for openai-cookbook's example ("How to count tokens with tiktoken")
            "gpt-4,                   129",
            "gpt-3.5-turbo,           129",
            "gpt-4o,                  124",
            "openai/gpt-4o-mini,      124",
    })
    void matchesOpenAiOnTheCookbookExample(String model, long promptTokens) throws Exception {
        String messages = """
                [{"role": "system", "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
                 {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
                 {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
                 {"role": "system", "name": "example_user", "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
                 {"role": "system", "name": "example_assistant", "content": "Let's talk later when we're less busy about how to do better."},
                 {"role": "user", "content": "This late pivot means we don't have time to boil the ocean for the client deliverable."}]
                """;

        assertThat(chat("{\"model\":\"" + model + "\",\"messages\":" + messages + "}").promptTokens()).isEqualTo(promptTokens);
    }

    @ParameterizedTest
    @CsvSource({
            // "お誕生日おめでとう" is 8 tokens in o200k_base, 9 in cl100k_base
            "gpt-4o-2024-08-06,                   8",
            "ft:gpt-4o-mini-2024-07-18:acme::abc, 8",
            "gpt-4.1,                             8",
            "gpt-5-mini,                          8",
            "o3-mini,                             8",
            "gpt-4-turbo,                         9",
            "text-embedding-3-small,              9",
            "gpt-sim,                             9",
    })
    void usesTheTokenizerOfTheModelsFamily(String model, long promptTokens) throws Exception {
        ApiRequest request = ApiRequest.parse(Api.EMBEDDINGS,
                ("{\"model\":\"" + model + "\",\"input\":\"お誕生日おめでとう\"}").getBytes(StandardCharsets.UTF_8), 16);

        assertThat(request.promptTokens()).isEqualTo(promptTokens);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"abcdefghi\"           | 2 | 1 | 3",
            "[\"abc\",\"defgh\"]     | 3 | 2 | 2",
            "[1,2,3,4]               | 4 | 1 | 4",
            "[[1,2],[3]]             | 3 | 2 | 3",
    })
    void countsEmbeddingInputs(String input, long promptTokens, int inputs, long tokenCost) throws Exception {
        ApiRequest request = ApiRequest.parse(Api.EMBEDDINGS, ("{\"model\":\"e\",\"input\":" + input + "}").getBytes(StandardCharsets.UTF_8), 16);

        assertThat(request.promptTokens()).isEqualTo(promptTokens);
        assertThat(request.choices()).isEqualTo(inputs);
        assertThat(request.tokenCost()).isEqualTo(tokenCost); // characters / 4, ids one each
    }

    @Test
    void chargesTheCharacterEstimateAndTheMostTheReplyMayTakeForEveryChoice() throws Exception {
        // 9 prompt tokens; "user" + "Say hello" = 13 characters, 4 tokens by the rule of four
        String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]";

        assertThat(chat("{\"model\":\"m\"," + messages + "}").tokenCost()).isEqualTo(4 + 16);
        assertThat(chat("{\"model\":\"m\"," + messages + ",\"max_tokens\":100}").tokenCost()).isEqualTo(4 + 100);
        assertThat(chat("{\"model\":\"m\"," + messages + ",\"max_tokens\":100,\"max_completion_tokens\":50,\"n\":3}")
                .tokenCost()).isEqualTo(4 + 50 * 3);
        assertThat(chat("{\"model\":\"m\"," + messages + "}").promptTokens()).isEqualTo(9);
    }

    @Test
    void estimatesTheWayAzureOpenAiWasMeasuredToCharge() throws Exception {
        // github.com/stuartleeks/aoai-testing, results/chat-gpt-4o.md: 2008 for this with max_tokens 2000
        assertThat(chat("{\"model\":\"gpt-4o\",\"max_tokens\":2000,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"What is the meaning of life?\"}]}").tokenCost()).isEqualTo(2008);
        // results/embeddings.md: 11 for this 44-character input
        assertThat(ApiRequest.parse(Api.EMBEDDINGS, "{\"model\":\"e\",\"input\":\"This is some text to generate embeddings for\"}"
                .getBytes(StandardCharsets.UTF_8), 16).tokenCost()).isEqualTo(11);
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
