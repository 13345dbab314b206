package dev.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.MultipartField;
import com.openai.core.http.StreamResponse;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstream.Reply;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.sluice.api.OpenAiSdkTest.JSON;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Responses API and a file upload through the official OpenAI Java SDK, unchanged but for its base
 * URL: {@code POST /v1/responses} relayed as it came, plain and streamed (usage read from
 * {@code usage.input_tokens}/{@code output_tokens}, of the reply or of its {@code response.completed}
 * event), and {@code /v1/files} passed through, multipart body and all. The upstream's replies are shaped
 * as OpenAI's API reference documents them (the Response object, the streaming events with their
 * {@code event:} lines, the File object).
 */
@QuarkusTest
@DisabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true", disabledReason = LambdaProfile.NO_SOCKET)
class OpenAiSdkResponsesTest {

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

    private OpenAIClient sdk(String apiKey) {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(sluice.toString()).apiKey(apiKey).build();
        clients.add(client);
        return client;
    }

    @Test
    void theSdkReadsARelayedResponseAndSluiceCountsItsUsage() throws Exception {
        upstream.enqueue(Reply.json(200, response("completed", List.of("Hello!"), USAGE), Map.of("x-request-id", "req-resp-1")));
        String before = metrics();

        Response response = sdk("sk-sdk-responses").responses()
                .create(ResponseCreateParams.builder().model("gpt-test").input("hi").maxOutputTokens(50).build());

        response.validate(); // every required field as the SDK's model of a Response has it
        assertThat(response.id()).isEqualTo("resp_test");
        assertThat(response.output()).singleElement().satisfies(item ->
                assertThat(item.asMessage().content()).singleElement()
                        .satisfies(content -> assertThat(content.asOutputText().text()).isEqualTo("Hello!")));
        assertThat(response.usage()).hasValueSatisfying(usage -> {
            assertThat(usage.inputTokens()).isEqualTo(9);
            assertThat(usage.outputTokens()).isEqualTo(3);
        });
        assertTokensCounted(before, 9, 3);

        assertThat(upstream.requests()).singleElement().satisfies(request -> {
            assertThat(request.path()).isEqualTo("/v1/responses");
            JsonNode body = JSON.readTree(request.body());
            assertThat(body.path("model").asText()).isEqualTo("gpt-test");
            assertThat(body.path("input").asText()).isEqualTo("hi");
            assertThat(body.path("max_output_tokens").asInt()).isEqualTo(50);
        });
    }

    @Test
    void theSdkReadsEveryEventOfAStreamedResponseToResponseCompleted() throws Exception {
        upstream.enqueue(Reply.stream(5, responseEvents().toArray(String[]::new)));
        String before = metrics();

        List<ResponseStreamEvent> events;
        try (StreamResponse<ResponseStreamEvent> stream = sdk("sk-sdk-responses-stream").responses()
                .createStreaming(ResponseCreateParams.builder().model("gpt-test").input("hi").build())) {
            events = stream.stream().toList();
        }

        events.forEach(ResponseStreamEvent::validate);
        assertThat(events).hasSize(11);
        assertThat(events.get(0).isCreated()).isTrue();
        String text = events.stream().filter(ResponseStreamEvent::isOutputTextDelta)
                .map(event -> event.asOutputTextDelta().delta()).collect(Collectors.joining());
        assertThat(text).isEqualTo("Hello!");
        ResponseStreamEvent last = events.get(events.size() - 1);
        assertThat(last.isCompleted()).isTrue();
        assertThat(last.asCompleted().response().usage()).hasValueSatisfying(usage -> {
            assertThat(usage.inputTokens()).isEqualTo(9);
            assertThat(usage.outputTokens()).isEqualTo(3);
        });
        // Sluice read the usage from the response.completed event as it passed
        assertTokensCounted(before, 9, 3);

        assertThat(upstream.requests()).singleElement().satisfies(request -> {
            assertThat(request.path()).isEqualTo("/v1/responses");
            assertThat(JSON.readTree(request.body()).path("stream").asBoolean()).isTrue();
        });
    }

    @Test
    void theSdkUploadsAFileThroughSluiceAndReadsTheFileObject() {
        byte[] content = "{\"prompt\":\"hi\"}\n".getBytes(StandardCharsets.UTF_8);
        upstream.enqueue(Reply.json(200, """
                {"id":"file-test","object":"file","bytes":%d,"created_at":1767225600,"expires_at":null,\
                "filename":"notes.jsonl","purpose":"user_data","status":"processed","status_details":null}"""
                .formatted(content.length), Map.of("x-request-id", "req-file-1")));

        FileObject file = sdk("sk-sdk-files").files().create(FileCreateParams.builder()
                .file(MultipartField.<InputStream>builder().value(new ByteArrayInputStream(content)).filename("notes.jsonl").build())
                .purpose(FilePurpose.USER_DATA)
                .build());

        file.validate();
        assertThat(file.id()).isEqualTo("file-test");
        assertThat(file.bytes()).isEqualTo(content.length);
        assertThat(file.filename()).isEqualTo("notes.jsonl");

        assertThat(upstream.requests()).singleElement().satisfies(request -> {
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.path()).isEqualTo("/v1/files");
            assertThat(request.headers().get("Authorization")).isEqualTo("Bearer sk-sdk-files");
            // the multipart body as the SDK framed it: its boundary, both parts, the file's bytes
            String contentType = request.headers().get("Content-Type");
            assertThat(contentType).startsWith("multipart/form-data; boundary=");
            String boundary = contentType.substring(contentType.indexOf("boundary=") + "boundary=".length());
            assertThat(request.bodyText())
                    .contains("--" + boundary)
                    .contains("name=\"purpose\"").contains("user_data")
                    .contains("name=\"file\"; filename=\"notes.jsonl\"")
                    .contains(new String(content, StandardCharsets.UTF_8))
                    .endsWith("--" + boundary + "--\r\n");
        });
    }

    /** {@code cache_write_tokens} is newer than the reference's examples, and required by the SDK's model (validate()). */
    static final String USAGE = "{\"input_tokens\":9,\"input_tokens_details\":{\"cached_tokens\":0,\"cache_write_tokens\":0},\"output_tokens\":3,"
            + "\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":12}";

    /** A Response object as OpenAI's API reference shows it, with one assistant message of the given texts. */
    static String response(String status, List<String> texts, String usage) {
        String output = texts.isEmpty() ? "[]" : "[" + message("completed", texts.get(0)) + "]";
        return """
                {"id":"resp_test","object":"response","created_at":1767225600,"status":"%s","background":false,\
                "error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"max_tool_calls":null,\
                "model":"gpt-test","output":%s,"parallel_tool_calls":true,"previous_response_id":null,\
                "reasoning":{"effort":null,"summary":null},"service_tier":"default","store":true,"temperature":1.0,\
                "text":{"format":{"type":"text"},"verbosity":"medium"},"tool_choice":"auto","tools":[],"top_logprobs":0,\
                "top_p":1.0,"truncation":"disabled","usage":%s,"user":null,"metadata":{}}"""
                .formatted(status, output, usage);
    }

    private static String message(String status, String text) {
        String content = text == null ? "[]" : "[" + outputText(text) + "]";
        return "{\"id\":\"msg_test\",\"type\":\"message\",\"status\":\"" + status + "\",\"role\":\"assistant\",\"content\":" + content + "}";
    }

    private static String outputText(String text) {
        return "{\"type\":\"output_text\",\"text\":\"" + text + "\",\"annotations\":[],\"logprobs\":[]}";
    }

    /**
     * A streamed Response as OpenAI sends it: each event an {@code event:} line naming its type and a
     * {@code data:} line, numbered in order; three pieces of text; no {@code [DONE]}, the stream ends
     * after {@code response.completed}, whose response carries the usage.
     */
    static List<String> responseEvents() {
        String part = "\"item_id\":\"msg_test\",\"output_index\":0,\"content_index\":0";
        List<String> data = new ArrayList<>();
        data.add("{\"type\":\"response.created\",\"response\":" + response("in_progress", List.of(), "null") + "}");
        data.add("{\"type\":\"response.in_progress\",\"response\":" + response("in_progress", List.of(), "null") + "}");
        data.add("{\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":" + message("in_progress", null) + "}");
        data.add("{\"type\":\"response.content_part.added\"," + part + ",\"part\":" + outputText("") + "}");
        for (String piece : List.of("Hel", "lo", "!")) {
            data.add("{\"type\":\"response.output_text.delta\"," + part + ",\"delta\":\"" + piece + "\",\"logprobs\":[]}");
        }
        data.add("{\"type\":\"response.output_text.done\"," + part + ",\"text\":\"Hello!\",\"logprobs\":[]}");
        data.add("{\"type\":\"response.content_part.done\"," + part + ",\"part\":" + outputText("Hello!") + "}");
        data.add("{\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":" + message("completed", "Hello!") + "}");
        data.add("{\"type\":\"response.completed\",\"response\":" + response("completed", List.of("Hello!"), USAGE) + "}");

        List<String> events = new ArrayList<>();
        for (int sequence = 0; sequence < data.size(); sequence++) {
            JsonNode event = readTree(data.get(sequence));
            String numbered = data.get(sequence).replaceFirst("^\\{", "{\"sequence_number\":" + sequence + ",");
            events.add("event: " + event.path("type").asText() + "\ndata: " + numbered + "\n\n");
        }
        return events;
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertTokensCounted(String before, double input, double output) {
        String after = metrics();
        assertThat(MetricsTest.sample(after, "gen_ai_client_token_usage_sum", "gen_ai_token_type=\"input\"")
                - MetricsTest.sample(before, "gen_ai_client_token_usage_sum", "gen_ai_token_type=\"input\"")).isEqualTo(input);
        assertThat(MetricsTest.sample(after, "gen_ai_client_token_usage_sum", "gen_ai_token_type=\"output\"")
                - MetricsTest.sample(before, "gen_ai_client_token_usage_sum", "gen_ai_token_type=\"output\"")).isEqualTo(output);
    }

    private static String metrics() {
        return given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    }
}
