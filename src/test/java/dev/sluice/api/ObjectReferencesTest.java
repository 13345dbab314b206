package dev.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ObjectReferencesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void findsEveryObjectABodyRefersTo() throws Exception {
        JsonNode body = json("""
                {"model":"gpt-4.1","previous_response_id":"resp_1","conversation":{"id":"conv_2"},
                 "input":[{"role":"user","content":[{"type":"input_file","file_id":"file-3"},{"type":"input_text","text":"file-4"}]},
                          {"type":"function_call_output","call_id":"call_5","output":"ok"}],
                 "tools":[{"type":"file_search","vector_store_ids":["vs_6","vs_7"]}]}""");

        assertThat(ObjectReferences.in(body)).containsExactly("resp_1", "conv_2", "file-3", "vs_6", "vs_7");
    }

    @Test
    void aConversationMayBeGivenByItsIdAlone() throws Exception {
        assertThat(ObjectReferences.in(json("{\"conversation\":\"conv_1\",\"input\":\"hi\"}"))).containsExactly("conv_1");
    }

    @Test
    void aReplyReportsItsOwnIdAndThoseOneLevelDown() throws Exception {
        JsonNode upload = json("""
                {"id":"upload_1","object":"upload","status":"completed",
                 "file":{"id":"file-2","object":"file","purpose":"batch"}}""");
        JsonNode batch = json("""
                {"id":"batch_1","input_file_id":"file-1","output_file_id":"file-2","error_file_id":null,
                 "metadata":{"nested":{"deeper_id":"file-9"}}}""");

        assertThat(ObjectReferences.reportedBy(upload)).containsExactly("upload_1", "file-2");
        assertThat(ObjectReferences.reportedBy(batch)).containsExactly("batch_1", "file-1", "file-2");
    }
}
