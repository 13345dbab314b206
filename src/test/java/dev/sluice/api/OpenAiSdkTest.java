package dev.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstream.Reply;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Sluice through the official OpenAI Java SDK ({@code com.openai:openai-java}), unchanged but for its base
 * URL: what a real client sends, parses, retries and waits must work through the gateway, not only what
 * RestAssured sends. The test clock stands still, so a caller refused stays refused however long the SDK waits.
 */
@QuarkusTest
// the SDK opens its own connections to Sluice, which the Lambda profile's mock event server does not take
@DisabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true", disabledReason = LambdaProfile.NO_SOCKET)
class OpenAiSdkTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/v1")
    URI sluice;

    final TestUpstream upstream = TestUpstreamResource.upstream();
    final List<OpenAIClient> clients = new ArrayList<>();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(OpenAIClient::close);
    }

    /** The SDK as an application builds it: Sluice's URL and the caller's key, every other setting its default. */
    private OpenAIClient sdk(String apiKey) {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(sluice.toString()).apiKey(apiKey).build();
        clients.add(client);
        return client;
    }

    private static ChatCompletionCreateParams.Builder chat(String content) {
        return ChatCompletionCreateParams.builder().model("gpt-test").addUserMessage(content);
    }

    @Test
    void theSdkReadsARelayedCompletionAndTheUpstreamGetsTheSdksBody() throws Exception {
        upstream.enqueue(Reply.completion());

        ChatCompletion completion = sdk("sk-sdk-plain").chat().completions().create(chat("hi").maxCompletionTokens(50).build());

        assertThat(completion.id()).isEqualTo("chatcmpl-test");
        assertThat(completion.choices()).singleElement()
                .satisfies(choice -> assertThat(choice.message().content()).hasValue("Hello!"));
        assertThat(completion.usage()).hasValueSatisfying(usage -> {
            assertThat(usage.promptTokens()).isEqualTo(9);
            assertThat(usage.completionTokens()).isEqualTo(3);
            assertThat(usage.totalTokens()).isEqualTo(12);
        });

        assertThat(upstream.requests()).singleElement().satisfies(request -> {
            assertThat(request.path()).isEqualTo("/v1/chat/completions");
            assertThat(request.headers().get("Authorization")).isEqualTo("Bearer sk-sdk-plain");
            // Sluice does not disguise its callers: the SDK names itself upstream ("OpenAIClientImpl/Java 4.105.0")
            assertThat(request.headers().get("User-Agent")).contains("/Java ");
            JsonNode body = JSON.readTree(request.body());
            assertThat(body.path("model").asText()).isEqualTo("gpt-test");
            assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(50);
            assertThat(body.path("messages")).singleElement().satisfies(message -> {
                assertThat(message.path("role").asText()).isEqualTo("user");
                assertThat(message.path("content").asText()).isEqualTo("hi");
            });
        });
    }

    @Test
    void theSdkReadsEveryChunkOfARelayedStream() throws Exception {
        upstream.enqueue(Reply.stream(5, streamChunks().toArray(String[]::new)));

        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> stream = sdk("sk-sdk-stream").chat().completions().createStreaming(chat("hi")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            chunks = stream.stream().toList();
        }

        // every chunk as OpenAI defines it (validate() checks each required field), [DONE] ends the stream
        chunks.forEach(ChatCompletionChunk::validate);
        assertThat(chunks).hasSize(6);
        String text = chunks.stream().flatMap(chunk -> chunk.choices().stream())
                .map(choice -> choice.delta().content().orElse("")).collect(Collectors.joining());
        assertThat(text).isEqualTo("Hello!");
        assertThat(chunks.get(4).choices()).singleElement()
                .satisfies(choice -> assertThat(choice.finishReason()).hasValue(ChatCompletionChunk.Choice.FinishReason.STOP));
        assertThat(chunks.get(5).usage()).hasValueSatisfying(usage -> assertThat(usage.totalTokens()).isEqualTo(12));

        assertThat(upstream.requests()).singleElement().satisfies(request -> {
            JsonNode body = JSON.readTree(request.body());
            assertThat(body.path("stream").asBoolean()).isTrue();
            assertThat(body.path("stream_options").path("include_usage").asBoolean()).isTrue();
        });
    }

    /** A streamed completion as OpenAI sends it: the role, three pieces of text, the finish, the usage (asked for), [DONE]. */
    static List<String> streamChunks() {
        String head = "{\"id\":\"chatcmpl-sdk\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,\"model\":\"gpt-test\","
                + "\"system_fingerprint\":\"fp_test\",\"choices\":";
        List<String> chunks = new ArrayList<>();
        chunks.add("data: " + head + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
                + "\"finish_reason\":null}],\"usage\":null}\n\n");
        for (String piece : List.of("Hel", "lo", "!")) {
            chunks.add("data: " + head + "[{\"index\":0,\"delta\":{\"content\":\"" + piece + "\"},\"logprobs\":null,"
                    + "\"finish_reason\":null}],\"usage\":null}\n\n");
        }
        chunks.add("data: " + head + "[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n");
        chunks.add("data: " + head + "[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}\n\n");
        chunks.add("data: [DONE]\n\n");
        return chunks;
    }

    @Test
    void theSdkDecodesRelayedEmbeddings() throws Exception {
        // The Java SDK asks for base64 unless told otherwise and decodes it to floats itself: Sluice must
        // relay the string as it came. Little-endian float32s, as OpenAI encodes them.
        float[] vector = {0.5f, -0.25f, 1.0f};
        ByteBuffer bytes = ByteBuffer.allocate(4 * vector.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : vector) {
            bytes.putFloat(value);
        }
        upstream.enqueue(Reply.json(200, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":\""
                + Base64.getEncoder().encodeToString(bytes.array()) + "\"}],\"model\":\"text-embedding-test\","
                + "\"usage\":{\"prompt_tokens\":1,\"total_tokens\":1}}", Map.of()));

        CreateEmbeddingResponse embeddings = sdk("sk-sdk-embed").embeddings()
                .create(EmbeddingCreateParams.builder().model("text-embedding-test").input("hi").build());

        assertThat(embeddings.data()).singleElement()
                .satisfies(embedding -> assertThat(embedding.embedding()).containsExactly(0.5f, -0.25f, 1.0f));
        assertThat(embeddings.usage().promptTokens()).isEqualTo(1);
        assertThat(upstream.requests()).singleElement().satisfies(request -> {
            assertThat(request.path()).isEqualTo("/v1/embeddings");
            JsonNode body = JSON.readTree(request.body());
            assertThat(body.path("input").asText()).isEqualTo("hi");
            assertThat(body.path("encoding_format").asText()).isEqualTo("base64");
        });
    }

    @Test
    void aBodySluiceRefusesIsTheSdksBadRequestWithOpenAisCodeAndParam() {
        OpenAIClient client = sdk("sk-sdk-bad-request");

        // The SDK checks neither; Sluice does, before anything is charged or sent.
        BadRequestException noTokens = assertThatExceptionOfType(BadRequestException.class)
                .isThrownBy(() -> client.chat().completions().create(chat("hi").maxTokens(0).build())).actual();
        BadRequestException longModel = assertThatExceptionOfType(BadRequestException.class)
                .isThrownBy(() -> client.chat().completions().create(chat("hi").model("m".repeat(257)).build())).actual();

        assertThat(noTokens.statusCode()).isEqualTo(400);
        assertThat(noTokens.type()).hasValue("invalid_request_error");
        assertThat(noTokens.code()).hasValue("integer_below_min_value");
        assertThat(noTokens.param()).hasValue("max_tokens");
        assertThat(noTokens.getMessage()).contains("Expected a value >= 1");
        assertThat(longModel.code()).hasValue("string_above_max_length");
        assertThat(longModel.param()).hasValue("model");
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void aCallerStillRefusedAfterTheSdksRetriesGetsRateLimitException() {
        OpenAIClient client = sdk("sk-sdk-over-limit");
        for (int i = 0; i < 5; i++) { // the default plan's burst: 5
            client.chat().completions().create(chat("fill " + i).build());
        }
        String before = metrics();

        // The clock stands still: no token comes back while the SDK waits what it is told, so its two
        // retries (its default) are refused like the first attempt.
        RateLimitException refused = assertThatExceptionOfType(RateLimitException.class)
                .isThrownBy(() -> client.chat().completions().create(chat("one too many").build())).actual();

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.type()).hasValue("requests");
        assertThat(refused.code()).hasValue("rate_limit_exceeded");
        assertThat(refused.getMessage()).contains("caller limit");
        // staggered waits: the third refusal of this bucket is told to come back three tokens (600 ms) on
        assertThat(refused.headers().values("retry-after-ms")).containsExactly("600");
        assertThat(MetricsTest.sample(metrics(), "sluice_refusals_total", "scope=\"caller\"")
                - MetricsTest.sample(before, "sluice_refusals_total", "scope=\"caller\""))
                .as("Sluice's refusals: the first attempt and the SDK's two retries").isEqualTo(3);
        assertThat(upstream.requests()).as("only the five that fit the bucket").hasSize(5);
    }

    private static String metrics() {
        return given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    }
}
