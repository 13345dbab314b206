package dev.sluice.tokens;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.openai.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.sluice.openai.Operation.CHAT_COMPLETIONS;
import static dev.sluice.openai.Operation.COMPLETIONS;
import static dev.sluice.openai.Operation.EMBEDDINGS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Expected counts are real: the cookbook examples are what OpenAI's API reported; the others are
 * cl100k_base/o200k_base counts of each string plus the overheads of {@link TokenEstimator}'s
 * javadoc, worked out in the comments.
 */
class TokenEstimatorTest {

    private static final TokenEstimator ESTIMATOR = new TokenEstimator(); // loads the encodings once: ~0.7 s
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DEFAULT_MAX_TOKENS = 1000;

    /** The example of openai-cookbook's "How to count tokens with tiktoken", section 6. */
    private static final String COOKBOOK_MESSAGES = """
            [{"role": "system", "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
             {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
             {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
             {"role": "system", "name": "example_user", "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
             {"role": "system", "name": "example_assistant", "content": "Let's talk later when we're less busy about how to do better."},
             {"role": "user", "content": "This late pivot means we don't have time to boil the ocean for the client deliverable."}]
            """;

    private static TokenEstimate estimate(Operation operation, String body) {
        try {
            return ESTIMATOR.estimate(operation, JSON.readTree(body), DEFAULT_MAX_TOKENS);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad test JSON: " + body, e);
        }
    }

    private static long chatPromptTokens(String messages) {
        return estimate(CHAT_COMPLETIONS, "{\"model\":\"gpt-4\",\"messages\":" + messages + "}").promptTokens();
    }

    @ParameterizedTest
    @CsvSource({
            // the prompt_tokens OpenAI's API reported for these models, as printed in the cookbook
            "gpt-3.5-turbo, 129",
            "gpt-4-0613,    129",
            "gpt-4,         129",
            "gpt-4o,        124",
            "gpt-4o-mini,   124",
    })
    void countsTheCookbookExampleAsOpenAiDid(String model, long promptTokens) {
        TokenEstimate estimate = estimate(CHAT_COMPLETIONS, "{\"model\":\"" + model + "\",\"messages\":" + COOKBOOK_MESSAGES + "}");

        assertThat(estimate.promptTokens()).isEqualTo(promptTokens);
    }

    @Test
    void countsEachMessageAndPrimesTheReply() {
        // 3 per message + "user" 1 + "hello world" 2, + 3 priming
        assertThat(chatPromptTokens("[{\"role\":\"user\",\"content\":\"hello world\"}]")).isEqualTo(9);
        // + "bob" 1 + 1 for a name
        assertThat(chatPromptTokens("[{\"role\":\"user\",\"name\":\"bob\",\"content\":\"hello world\"}]")).isEqualTo(11);
        // null content: 3 + "assistant" 1, + 3
        assertThat(chatPromptTokens("[{\"role\":\"assistant\",\"content\":null}]")).isEqualTo(7);
        // a special token typed as text is text: "<|endoftext|>" is 7 ordinary tokens, and nothing throws
        assertThat(chatPromptTokens("[{\"role\":\"user\",\"content\":\"<|endoftext|>\"}]")).isEqualTo(14);
    }

    @Test
    void countsTheTextOfTextPartsAndAFixedPricePerImage() {
        // 3 + "user" 1 + "hello world" 2 + "hello world" 2, + 3
        assertThat(chatPromptTokens("""
                [{"role":"user","content":[{"type":"text","text":"hello world"},{"type":"text","text":"hello world"}]}]
                """)).isEqualTo(11);
        // 3 + "user" 1 + "hello world" 2 + an image 765, + 3
        assertThat(chatPromptTokens("""
                [{"role":"user","content":[{"type":"text","text":"hello world"},
                  {"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"high"}}]}]
                """)).isEqualTo(774);
    }

    @Test
    void countsOtherPartsAsTheirJsonText() {
        // 3 + "user" 1 + {"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}} 21, + 3
        assertThat(chatPromptTokens("""
                [{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}}]}]
                """)).isEqualTo(28);
    }

    @Test
    void countsToolCallsAndToolResults() {
        // 3 + "assistant" 1 + null 0 + the compact tool_calls JSON 29
        // + 3 + "tool" 1 + "call_1" 3 + "sunny" 2, + 3
        assertThat(chatPromptTokens("""
                [{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                  "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                 {"role":"tool","tool_call_id":"call_1","content":"sunny"}]
                """)).isEqualTo(45);
    }

    @ParameterizedTest
    @CsvSource({
            // OpenAI's API counted 105 (gpt-4) and 101 (gpt-4o) for the cookbook's tool example (section 7)
            "gpt-4,  105, 119",
            "gpt-4o, 101, 119",
    })
    void overEstimatesToolDefinitionsRatherThanMissThem(String model, long openAiCount, long estimated) {
        TokenEstimate estimate = estimate(CHAT_COMPLETIONS, """
                {"model":"%s",
                 "messages":[{"role":"system","content":"You are a helpful assistant that can answer to questions about the weather."},
                             {"role":"user","content":"What's the weather like in San Francisco?"}],
                 "tools":[{"type":"function","function":{"name":"get_current_weather",
                   "description":"Get the current weather in a given location",
                   "parameters":{"type":"object","properties":{
                     "location":{"type":"string","description":"The city and state, e.g. San Francisco, CA"},
                     "unit":{"type":"string","description":"The unit of temperature to return","enum":["celsius","fahrenheit"]}},
                     "required":["location"]}}}]}
                """.formatted(model));

        assertThat(estimate.promptTokens()).isEqualTo(estimated).isGreaterThanOrEqualTo(openAiCount);
    }

    @Test
    void countsAResponsesInputAsChatCountsTheSameMessages() {
        TokenEstimate chat = estimate(CHAT_COMPLETIONS, """
                {"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hello world"}],
                 "max_completion_tokens":200}""");
        TokenEstimate asItems = estimate(Operation.RESPONSES, """
                {"model":"gpt-4o","instructions":"Be brief.","input":[{"role":"user","content":[{"type":"input_text","text":"hello world"}]}],
                 "max_output_tokens":200}""");
        TokenEstimate asText = estimate(Operation.RESPONSES, """
                {"model":"gpt-4o","instructions":"Be brief.","input":"hello world","max_output_tokens":200}""");

        // instructions count as the system message's content, without its role
        assertThat(asItems.promptTokens()).isEqualTo(chat.promptTokens() - 1);
        // a text input is the user's message without its role either
        assertThat(asText.promptTokens()).isEqualTo(chat.promptTokens() - 2);
        assertThat(asItems.maxCompletionTokens()).isEqualTo(200);
        assertThat(asItems.choices()).isEqualTo(1);
    }

    @Test
    void aResponseWithoutMaxOutputTokensGetsTheDefaultBudget() {
        assertThat(estimate(Operation.RESPONSES, "{\"model\":\"gpt-4o\",\"input\":\"hi\"}").maxCompletionTokens())
                .isEqualTo(DEFAULT_MAX_TOKENS);
    }

    @Test
    void pricesResponsesImagesFilesAndFunctionOutputs() {
        String fileData = "A".repeat(16_000); // 12,000 bytes in base64
        TokenEstimate estimate = estimate(Operation.RESPONSES, """
                {"model":"gpt-4o","input":[
                  {"role":"user","content":[{"type":"input_image","image_url":"https://example.com/a.png"},
                                            {"type":"input_file","file_data":"%s","filename":"a.pdf"}]},
                  {"type":"function_call","call_id":"call_1","name":"weather","arguments":"{}"},
                  {"type":"function_call_output","call_id":"call_1","output":"sunny"}],
                 "tools":[{"type":"function","name":"weather","parameters":{}}]}""".formatted(fileData));

        // an image at its fixed price, 3,000 for 12,000 bytes of file, and a little text around them
        assertThat(estimate.promptTokens()).isBetween(765L + 3_000L, 765L + 3_000L + 100L);
        assertThat(estimate.promptTokensFromCharacters()).isGreaterThan(765L + 3_000L);
    }

    @Test
    void countsTheResponseFormat() {
        // 3 + "user" 1 + "hi" 1, + 3, + {"type":"json_object"} 6
        assertThat(estimate(CHAT_COMPLETIONS, """
                {"model":"gpt-4","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}}
                """).promptTokens()).isEqualTo(14);
    }

    @ParameterizedTest
    @CsvSource({
            // "お誕生日おめでとう" is 8 tokens in o200k_base and 9 in cl100k_base
            "gpt-4o,                              8",
            "gpt-4o-2024-08-06,                   8",
            "openai/gpt-4o-mini,                  8",
            "ft:gpt-4o-mini-2024-07-18:acme::abc, 8",
            "chatgpt-4o-latest,                   8",
            "gpt-4.1-nano,                        8",
            "gpt-4.5-preview,                     8",
            "gpt-5,                               8",
            "o1-mini,                             8",
            "o3,                                  8",
            "o4-mini,                             8",
            "GPT-4o,                              8",
            "gpt-4,                               9",
            "gpt-4-turbo,                         9",
            "gpt-3.5-turbo,                       9",
            "text-embedding-3-small,              9",
            "meta-llama/Llama-3.1-8B-Instruct,    9",
            "'',                                  9",
    })
    void choosesTheEncodingByModelFamily(String model, long promptTokens) {
        TokenEstimate estimate = estimate(EMBEDDINGS, "{\"model\":\"" + model + "\",\"input\":\"お誕生日おめでとう\"}");

        assertThat(estimate.promptTokens()).isEqualTo(promptTokens);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "                                                      | 1000     | 1",  // the default
            "\"max_tokens\":100                                    | 100      | 1",
            "\"max_completion_tokens\":50,\"max_tokens\":100,\"n\":3 | 50       | 3",
            "\"max_completion_tokens\":50                          | 50       | 1",
            "\"max_tokens\":10000000,\"n\":128                     | 10000000 | 128", // the most each may be
    })
    void takesTheCompletionBudgetAndChoicesFromTheBody(String fields, long maxCompletionTokens, int choices) {
        String extra = fields == null ? "" : "," + fields;
        TokenEstimate estimate = estimate(CHAT_COMPLETIONS,
                "{\"model\":\"gpt-4\",\"messages\":[{\"role\":\"user\",\"content\":\"hello world\"}]" + extra + "}");

        // "user" + "hello world": 15 characters, 4 tokens by the rule of four
        assertThat(estimate).isEqualTo(new TokenEstimate(9, 4, maxCompletionTokens, choices));
        assertThat(estimate.reservedTokens()).isEqualTo(9 + maxCompletionTokens * choices);
        assertThat(estimate.chargedOnArrival()).isEqualTo(4 + maxCompletionTokens * choices);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-5", "1.5", "1e308", "10000001", "1000000000000000000000000000000", "\"100\"", "true", "null",
            "{}", "[3]"})
    void treatsAnythingTheRequestPathWouldRefuseAsAbsent(String value) {
        TokenEstimate estimate = estimate(CHAT_COMPLETIONS, """
                {"model":"gpt-4","messages":[{"role":"user","content":"hello world"}],
                 "max_completion_tokens":%1$s,"max_tokens":%1$s,"n":%1$s}
                """.formatted(value));

        assertThat(estimate).isEqualTo(new TokenEstimate(9, 4, DEFAULT_MAX_TOKENS, 1));
    }

    @Test
    void readsANumberWithAZeroFractionAsItsInteger() {
        TokenEstimate estimate = estimate(CHAT_COMPLETIONS, """
                {"model":"gpt-4","messages":[{"role":"user","content":"hello world"}],"max_tokens":100.0,"n":2.00}
                """);

        assertThat(estimate).isEqualTo(new TokenEstimate(9, 4, 100, 2));
    }

    @Test
    void capsTheDefaultBudgetAndRefusesANegativeOne() throws JsonProcessingException {
        var body = JSON.readTree("{\"model\":\"gpt-4\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(ESTIMATOR.estimate(CHAT_COMPLETIONS, body, Long.MAX_VALUE).maxCompletionTokens())
                .isEqualTo(TokenEstimate.MAX_COMPLETION_TOKENS);
        assertThat(ESTIMATOR.estimate(CHAT_COMPLETIONS, body, 0).maxCompletionTokens()).isZero();
        assertThatThrownBy(() -> ESTIMATOR.estimate(CHAT_COMPLETIONS, body, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defaultMaxTokens");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // prompt                                  | fields                     | prompt tokens | by characters | max | choices
            "\"hello world\"                           |                            | 2 | 3 | 16  | 1",  // OpenAI's default max_tokens
            "[\"hello world\",\"hello world\"]         | \"max_tokens\":100         | 4 | 6 | 100 | 2",  // a batch: choices per prompt
            "[1,2,3]                                   |                            | 3 | 3 | 16  | 1",  // token ids: one each
            "[[1,2],[3]]                               | \"n\":2                    | 3 | 3 | 16  | 4",
            "\"hello world\"                           | \"n\":2,\"best_of\":5      | 2 | 3 | 16  | 5",  // best_of are all billed
            "\"hello world\"                           | \"n\":5,\"best_of\":2      | 2 | 3 | 16  | 5",
            "\"hello world\"                           | \"suffix\":\"hello world\" | 4 | 6 | 16  | 1",
            "\"hello world\"                           | \"max_tokens\":-1,\"n\":0  | 2 | 3 | 16  | 1",
    })
    void countsLegacyCompletionPrompts(String prompt, String fields, long promptTokens, long byCharacters, long maxTokens,
            int choices) {
        String extra = fields == null ? "" : "," + fields;
        TokenEstimate estimate = estimate(COMPLETIONS, "{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":" + prompt + extra + "}");

        assertThat(estimate).isEqualTo(new TokenEstimate(promptTokens, byCharacters, maxTokens, choices));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"hello world\"                   | 2 | 3",
            "[\"hello world\",\"hello world\"] | 4 | 6",
            "[1,2,3,4]                         | 4 | 4",
            "[[1,2],[3]]                       | 3 | 3",
    })
    void countsEmbeddingInputsAndReservesNoCompletion(String input, long promptTokens, long byCharacters) {
        TokenEstimate estimate = estimate(EMBEDDINGS, "{\"model\":\"text-embedding-3-small\",\"input\":" + input + ",\"n\":5}");

        assertThat(estimate).isEqualTo(new TokenEstimate(promptTokens, byCharacters, 0, 1));
        assertThat(estimate.reservedTokens()).isEqualTo(promptTokens);
        assertThat(estimate.chargedOnArrival()).isEqualTo(byCharacters);
    }

    /**
     * What Azure OpenAI took from {@code x-ratelimit-remaining-tokens}, measured by
     * github.com/stuartleeks/aoai-testing (results/chat-gpt-4o.md, results/embeddings.md): 2008 for
     * this chat message with {@code max_tokens} 2000 on gpt-4o, 11 for this 44-character embeddings input.
     */
    @Test
    void chargesOnArrivalWhatAzureOpenAiWasMeasuredToCharge() {
        TokenEstimate chat = estimate(CHAT_COMPLETIONS, """
                {"model":"gpt-4o","max_tokens":2000,"messages":[{"role":"user","content":"What is the meaning of life?"}]}""");
        TokenEstimate embedding = estimate(EMBEDDINGS, """
                {"model":"text-embedding-ada-002","input":"This is some text to generate embeddings for"}""");

        assertThat(chat.chargedOnArrival()).isEqualTo(2008);
        assertThat(embedding.chargedOnArrival()).isEqualTo(11);
    }

    @Test
    void countsCharactersOfEveryStringAndOfJsonStructuresAndImagesAsTheirTokens() {
        String body = """
                {"model":"gpt-4o","max_tokens":10,
                 "messages":[{"role":"user","name":"ann","content":[{"type":"text","text":"abcdefgh"},
                                                                    {"type":"image_url","image_url":{"url":"https://x/y.png"}}]}],
                 "tools":[{"type":"function"}]}""";
        TokenEstimate estimate = estimate(CHAT_COMPLETIONS, body);

        // "user" 4 + "ann" 3 + "abcdefgh" 8 + [{"type":"function"}] 21 = 36 characters = 9 tokens, + the image
        assertThat(estimate.promptTokensFromCharacters()).isEqualTo(9 + TokenEstimator.IMAGE_TOKENS);
        assertThat(estimate.chargedOnArrival()).isEqualTo(9 + TokenEstimator.IMAGE_TOKENS + 10);
    }

    @Test
    void textThatTokenizesDenselyIsChargedByItsCharactersOnArrivalAndReservedByItsTokens() {
        // Japanese: about a token a character, four characters a token by the rate limiter's rule
        TokenEstimate estimate = estimate(EMBEDDINGS, "{\"model\":\"gpt-4o\",\"input\":\"" + "お誕生日おめでとう".repeat(10) + "\"}");

        assertThat(estimate.promptTokensFromCharacters()).isEqualTo(23); // 90 characters
        assertThat(estimate.promptTokens()).isGreaterThan(estimate.promptTokensFromCharacters());
    }

    @Test
    void eachOperationTakesItsOutputBudgetFromItsOwnFieldsTheFirstSetWinning() throws JsonProcessingException {
        var body = JSON.readTree("{\"max_output_tokens\":300,\"max_tokens\":0,\"max_completion_tokens\":\"x\"}");

        assertThat(TokenEstimator.outputBudget(body, TokenEstimator.CHAT_BUDGET_FIELDS, 77)).isEqualTo(77);
        assertThat(TokenEstimator.outputBudget(body,
                java.util.List.of(new CountParameter("max_output_tokens", 1, TokenEstimate.MAX_COMPLETION_TOKENS)), 77)).isEqualTo(300);
    }

    @Test
    void textWithAnUnpairedSurrogateIsCountedNotRefused() {
        // JSON may escape half of a surrogate pair; the tokenizer alone would throw "Input is not UTF-8"
        TokenEstimate estimate = estimate(CHAT_COMPLETIONS,
                "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"a\\ud800b\\udc00\"}]}");

        assertThat(estimate.promptTokens()).isPositive();
        assertThat(estimate.promptTokensFromCharacters()).isEqualTo(2); // "user" + 4 chars
        assertThat(TokenEstimator.wellFormed("a\ud800b\udc00")).isEqualTo("a\uFFFDb\uFFFD");
        String wellFormed = "ok 😀";
        assertThat(TokenEstimator.wellFormed(wellFormed)).isSameAs(wellFormed); // nothing copied
    }

    @Test
    void listingModelsCostsNothing() {
        assertThat(ESTIMATOR.estimate(Operation.MODELS, JSON.nullNode(), DEFAULT_MAX_TOKENS))
                .isEqualTo(TokenEstimate.NONE);
    }
}
