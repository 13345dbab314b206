package dev.sluice.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The lines follow CloudWatch's Embedded Metric Format specification, as CloudWatch Logs parses them. */
class EmfLinesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void oneLinePerDimensionSetWithItsMetadataDimensionsAndValues() throws Exception {
        List<String> lines = EmfLines.of(List.of(
                new EmfLines.Sample("sluice_requests_total", "Count", Map.of("outcome", "admitted"), 12),
                new EmfLines.Sample("sluice_refusals_total", "Count", Map.of("scope", "caller"), 3),
                new EmfLines.Sample("gen_ai_server_request_duration_seconds_sum", "Milliseconds", Map.of("outcome", "admitted"), 41.5)),
                1_767_225_600_000L);

        assertThat(lines).hasSize(2).allSatisfy(line -> assertThat(line).doesNotContain("\n"));
        JsonNode admitted = JSON.readTree(lines.stream().filter(line -> line.contains("\"admitted\"")).findFirst().orElseThrow());
        JsonNode aws = admitted.get("_aws");
        assertThat(aws.get("Timestamp").asLong()).isEqualTo(1_767_225_600_000L);
        JsonNode directive = aws.get("CloudWatchMetrics").get(0);
        assertThat(directive.get("Namespace").asText()).isEqualTo("Sluice");
        assertThat(directive.get("Dimensions").toString()).isEqualTo("[[\"outcome\"]]");
        assertThat(directive.get("Metrics").toString()).isEqualTo("[{\"Name\":\"sluice_requests_total\",\"Unit\":\"Count\"},"
                + "{\"Name\":\"gen_ai_server_request_duration_seconds_sum\",\"Unit\":\"Milliseconds\"}]");
        // every target member the directive names is on the root: the dimension's value and each metric's
        assertThat(admitted.get("outcome").asText()).isEqualTo("admitted");
        assertThat(admitted.get("sluice_requests_total").asDouble()).isEqualTo(12);
        assertThat(admitted.get("gen_ai_server_request_duration_seconds_sum").asDouble()).isEqualTo(41.5);
    }

    @Test
    void aLineDeclaresAtMostAHundredMetricsAndEscapesWhatJsonMust() throws Exception {
        List<EmfLines.Sample> samples = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            samples.add(new EmfLines.Sample("m" + i, "None", Map.of("model", "a \"quoted\"\\ name"), i));
        }
        List<String> lines = EmfLines.of(samples, 0);

        assertThat(lines).hasSize(2);
        assertThat(JSON.readTree(lines.get(0)).at("/_aws/CloudWatchMetrics/0/Metrics").size()).isEqualTo(100);
        assertThat(JSON.readTree(lines.get(1)).at("/_aws/CloudWatchMetrics/0/Metrics").size()).isEqualTo(50);
        assertThat(JSON.readTree(lines.get(1)).get("model").asText()).isEqualTo("a \"quoted\"\\ name");
        assertThat(JSON.readTree(lines.get(1)).get("m149").asLong()).isEqualTo(149);
    }

    @Test
    void metricsWithoutDimensionsGoInALineOfAnEmptyDimensionSet() throws Exception {
        JsonNode line = JSON.readTree(EmfLines.of(List.of(new EmfLines.Sample("sluice_store_up", "None", Map.of(), 1)), 5).get(0));
        assertThat(line.at("/_aws/CloudWatchMetrics/0/Dimensions").toString()).isEqualTo("[[]]");
        assertThat(line.get("sluice_store_up").asInt()).isEqualTo(1);
    }
}
