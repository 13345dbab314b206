package dev.sluice.content;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestTextTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void chatMessagesAndTheirTextParts() throws Exception {
        assertThat(RequestText.of(JSON.readTree("""
                {"model":"gpt-4o","messages":[{"role":"system","content":"be brief"},
                 {"role":"user","content":[{"type":"text","text":"hello"},{"type":"image_url","image_url":{"url":"https://x"}}]}],
                 "metadata":{"content":"not sent to the model"}}""")))
                .containsExactly("be brief", "hello");
    }

    @Test
    void aResponsesRequestsInstructionsAndInput() throws Exception {
        assertThat(RequestText.of(JSON.readTree("""
                {"model":"gpt-4.1","instructions":"be kind","input":[
                  {"role":"user","content":[{"type":"input_text","text":"hi"}]},
                  {"type":"function_call_output","call_id":"call_1","output":"sunny"}]}""")))
                .containsExactly("be kind", "hi", "sunny");
        assertThat(RequestText.of(JSON.readTree("{\"model\":\"gpt-4.1\",\"input\":\"plain\"}"))).containsExactly("plain");
    }

    @Test
    void aCompletionsPromptAndSuffix() throws Exception {
        assertThat(RequestText.of(JSON.readTree("{\"model\":\"m\",\"prompt\":[\"one\",\"two\"],\"suffix\":\"end\"}")))
                .containsExactly("one", "two", "end");
    }
}
