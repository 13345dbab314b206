package dev.sluice.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class StreamOptionsTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final StreamOptions streamOptions = new StreamOptions(mapper);

    private UsageRequestedBody requestUsage(String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return streamOptions.requestUsage(bytes, mapper.readTree(bytes));
    }

    private static String text(UsageRequestedBody result) {
        return new String(result.body(), StandardCharsets.UTF_8);
    }

    @Test
    void withoutStreamOptionsTheFieldIsInsertedAndEveryOtherByteKept() throws IOException {
        // odd spacing, a float and an escaped character: a re-serialization would change each of them
        String body = "{ \"model\" : \"gpt-4o-mini\",\"stream\":true,\n  \"temperature\": 1.50,"
                + " \"messages\":[{\"role\":\"user\",\"content\":\"caf\\u00e9\"}] }";

        UsageRequestedBody result = requestUsage(body);

        assertThat(text(result)).isEqualTo("{ \"model\" : \"gpt-4o-mini\",\"stream\":true,\n  \"temperature\": 1.50,"
                + " \"messages\":[{\"role\":\"user\",\"content\":\"caf\\u00e9\"}] ,\"stream_options\":{\"include_usage\":true}}");
        assertThat(result.usageChunkAdded()).isTrue();
        assertThat(mapper.readTree(result.body()).at("/stream_options/include_usage").booleanValue()).isTrue();
    }

    @Test
    void whitespaceAfterTheClosingBraceStays() throws IOException {
        UsageRequestedBody result = requestUsage("{\"model\":\"m\",\"stream\":true}\r\n \t\n");

        assertThat(text(result)).isEqualTo("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}\r\n \t\n");
    }

    @Test
    void anEmptyObjectGetsNoLeadingComma() throws IOException {
        assertThat(text(requestUsage("{}"))).isEqualTo("{\"stream_options\":{\"include_usage\":true}}");
        assertThat(text(requestUsage("{ \n}"))).isEqualTo("{ \n\"stream_options\":{\"include_usage\":true}}");
    }

    @Test
    void multiByteCharactersAreKept() throws IOException {
        UsageRequestedBody result = requestUsage("{\"messages\":[{\"role\":\"user\",\"content\":\"日本語 😀\"}]}");

        assertThat(text(result)).isEqualTo(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"日本語 😀\"}],\"stream_options\":{\"include_usage\":true}}");
    }

    @Test
    void aCallerWhoAskedForUsageKeepsTheChunk() throws IOException {
        String body = "{\"model\":\"m\",\"stream_options\": {\"include_usage\": true}, \"stream\":true}";
        UsageRequestedBody result = requestUsage(body);

        assertThat(text(result)).isEqualTo(body);
        assertThat(result.usageChunkAdded()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"model\":\"m\",\"stream_options\":{},\"stream\":true}",
            "{\"model\":\"m\",\"stream_options\":{\"include_usage\":false},\"stream\":true}",
            "{\"model\":\"m\",\"stream_options\":{\"include_usage\":null},\"stream\":true}",
            "{\"model\":\"m\",\"stream_options\":null,\"stream\":true}"
    })
    void streamOptionsWithoutUsageAreRewrittenThroughTheTree(String body) throws IOException {
        UsageRequestedBody result = requestUsage(body);

        assertThat(text(result)).isEqualTo("{\"model\":\"m\",\"stream_options\":{\"include_usage\":true},\"stream\":true}");
        assertThat(result.usageChunkAdded()).isTrue();
    }

    @Test
    void otherStreamOptionsAreKeptInOrder() throws IOException {
        UsageRequestedBody result = requestUsage(
                "{\"model\":\"m\",\"stream_options\":{\"include_obfuscation\":false,\"future\":[1]},\"stream\":true}");

        assertThat(text(result)).isEqualTo("{\"model\":\"m\",\"stream_options\":{\"include_obfuscation\":false,"
                + "\"future\":[1],\"include_usage\":true},\"stream\":true}");
        assertThat(result.usageChunkAdded()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"model\":\"m\",\"stream_options\":true}",
            "{\"model\":\"m\",\"stream_options\":\"include_usage\"}",
            "{\"model\":\"m\",\"stream_options\":[]}",
            "{\"model\":\"m\",\"stream_options\":{\"include_usage\":\"true\"}}"
    })
    void malformedStreamOptionsAreLeftForTheUpstreamToRefuse(String body) throws IOException {
        UsageRequestedBody result = requestUsage(body);

        assertThat(text(result)).isEqualTo(body);
        assertThat(result.usageChunkAdded()).isFalse();
    }

    @Test
    void refusesABodyThatIsNotTheObjectItWasParsedFrom() throws IOException {
        JsonNode root = mapper.readTree("{\"model\":\"m\"}");

        assertThatIllegalArgumentException()
                .isThrownBy(() -> streamOptions.requestUsage("{\"model\":\"m\"} // hi".getBytes(StandardCharsets.UTF_8), root))
                .withMessageContaining("does not end with the '}'");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> streamOptions.requestUsage("[]".getBytes(StandardCharsets.UTF_8), mapper.readTree("[]")))
                .withMessageContaining("JSON object");
    }
}
