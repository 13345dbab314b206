package dev.sluice.usage;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UsageReaderTest {

    private static Buffer json(String text) {
        return Buffer.buffer(text);
    }

    @Test
    void readsAChatCompletion() {
        Buffer body = json("""
                {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"{\\"usage\\": {\\"prompt_tokens\\": 1}}"},
                             "finish_reason":"stop"}],
                 "usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,
                          "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},
                          "completion_tokens_details":{"reasoning_tokens":0}},
                 "system_fingerprint":"fp_1"}
                """);

        assertThat(UsageReader.fromBody(body)).contains(new TokenUsage(19, 10));
    }

    @Test
    void readsALegacyCompletion() {
        Buffer body = json("""
                {"id":"cmpl-1","object":"text_completion","choices":[{"text":"hi","index":0}],
                 "usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}""");

        assertThat(UsageReader.fromBody(body)).contains(new TokenUsage(5, 7));
    }

    @Test
    void embeddingsHaveNoCompletionTokens() {
        Buffer body = json("""
                {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,-0.2,3e-5]}],
                 "model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}""");

        assertThat(UsageReader.fromBody(body)).contains(new TokenUsage(8, 0));
    }

    @Test
    void readsAResponseOfTheResponsesApi() {
        Buffer body = json("""
                {"id":"resp_1","object":"response","status":"completed","model":"gpt-4.1",
                 "output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"hi","annotations":[]}]}],
                 "usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":0},"output_tokens":87,
                          "output_tokens_details":{"reasoning_tokens":0},"total_tokens":123}}""");

        assertThat(UsageReader.fromBody(body)).contains(new TokenUsage(36, 87));
    }

    @Test
    void aResponsesEventReportsTheUsageOfTheResponseItCarries() {
        for (String event : List.of(ResponsesStream.CREATED, ResponsesStream.DELTA_HI)) {
            byte[] data = dataOf(event);
            assertThat(UsageReader.readEvent(data, 0, data.length).usage()).as(event).isNull();
        }
        byte[] completed = dataOf(ResponsesStream.COMPLETED);

        UsageReader.EventUsage found = UsageReader.readEvent(completed, 0, completed.length);

        assertThat(found.usage()).isEqualTo(ResponsesStream.REPORTED);
        assertThat(found.choicesEmpty()).as("never a chat usage chunk to strip").isFalse();
    }

    private static byte[] dataOf(String event) {
        String data = event.substring(event.indexOf("data: ") + 6).trim();
        return data.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void usageMayComeFirst() {
        assertThat(UsageReader.fromBody(json("{\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4},\"choices\":[]}")))
                .contains(new TokenUsage(3, 4));
    }

    @Test
    void onlyTheTopLevelUsageCounts() {
        Buffer body = json("""
                {"choices":[{"usage":{"prompt_tokens":99,"completion_tokens":99}}],"metadata":{"usage":{"prompt_tokens":98}}}""");

        assertThat(UsageReader.fromBody(body)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "   ",
            "not json",
            "[1,2,3]",
            "\"usage\"",
            "{\"choices\":[]}",                                               // missing
            "{\"usage\":null}",                                              // null
            "{\"usage\":{}}",                                                // no counts
            "{\"usage\":{\"completion_tokens\":4}}",                         // no prompt_tokens
            "{\"usage\":{\"prompt_tokens\":\"3\",\"completion_tokens\":4}}", // a string
            "{\"usage\":{\"prompt_tokens\":3.5,\"completion_tokens\":4}}",   // not an integer
            "{\"usage\":{\"prompt_tokens\":-3,\"completion_tokens\":4}}",    // negative
            "{\"usage\":{\"prompt_tokens\":99999999999999999999999}}",       // beyond a long
            "{\"usage\":{\"prompt_tokens\":9223372036854775807,\"completion_tokens\":1}}", // sum overflows
            "{\"usage\":{\"prompt_tokens\":3,",                              // cut off inside usage
            "{\"id\":\"x\",\"choices\":[{\"a\":[1,2",                        // cut off before usage
            "{\"usage\":[1,2]}",
            "\u0000\u0001garbage\uFFFD"
    })
    void readsNothingFromGarbageAndNeverThrows(String body) {
        assertThat(UsageReader.fromBody(json(body))).isEmpty();
    }

    @Test
    void aNullBodyHasNoUsage() {
        assertThat(UsageReader.fromBody(null)).isEmpty();
    }

    @Test
    void garbageAfterTheUsageDoesNotMatter() {
        // The relay passes the body on as it is; reading stops at the usage.
        assertThat(UsageReader.fromBody(json("{\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}} trailing ]]")))
                .contains(new TokenUsage(1, 2));
    }

    @Test
    void readsAHugeBodyWithoutATree() {
        // ~22 MB of embeddings before the usage: a tree of it would take several times that in the heap.
        int vectors = 1_000;
        int dimensions = 1_536;
        Buffer body = Buffer.buffer(24 * 1024 * 1024).appendString("{\"object\":\"list\",\"data\":[");
        byte[] number = "-0.0123456789,".getBytes(StandardCharsets.US_ASCII);
        for (int v = 0; v < vectors; v++) {
            body.appendString(v == 0 ? "" : ",").appendString("{\"object\":\"embedding\",\"index\":" + v + ",\"embedding\":[");
            for (int d = 0; d < dimensions - 1; d++) {
                body.appendBytes(number);
            }
            body.appendString("0.5]}");
        }
        body.appendString("],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":123456,\"total_tokens\":123456}}");

        assertThat(body.length()).isGreaterThan(20_000_000);
        assertThat(UsageReader.fromBody(body)).contains(new TokenUsage(123456, 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"usage\":{", "{\"usage\" : {", "{\"usage\":\n\t{", "{\"a\":\"usage\",\"usage\": {"})
    void thePreCheckSeesEveryWayOfWritingAUsageObject(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);

        assertThat(UsageReader.mayHoldUsageObject(bytes, 0, bytes.length)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"usage\":null}", "{\"usage\": null,\"x\":{}}", "[DONE]", "{\"usages\":{}}",
            "{\"content\":\"\\\"usage\\\": {\"}", "{\"usage\""})
    void thePreCheckSkipsChunksWithoutAUsageObject(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);

        assertThat(UsageReader.mayHoldUsageObject(bytes, 0, bytes.length)).isFalse();
    }

    @Test
    void anEventSaysWhetherItsChoicesAreEmpty() {
        byte[] usageChunk = """
                {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12}}"""
                .getBytes(StandardCharsets.UTF_8);
        byte[] lastContentChunk = """
                {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":12}}"""
                .getBytes(StandardCharsets.UTF_8);

        assertThat(UsageReader.readEvent(usageChunk, 0, usageChunk.length))
                .isEqualTo(new UsageReader.EventUsage(new TokenUsage(9, 12), true));
        assertThat(UsageReader.readEvent(lastContentChunk, 0, lastContentChunk.length))
                .isEqualTo(new UsageReader.EventUsage(new TokenUsage(9, 12), false));
    }
}
