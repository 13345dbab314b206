package dev.sluice.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How the load driver reads a Responses reply: its status and usage, whole or streamed. */
class ResponsesReplyTest {

    private static final String USAGE = "\"usage\":{\"input_tokens\":9,\"output_tokens\":8,\"total_tokens\":17}";

    private static String event(String type, String data) {
        return "event: " + type + "\ndata: {\"type\":\"" + type + "\"," + data + "}\n\n";
    }

    @Test
    void aWholeReplyGivesItsStatusAndUsage() {
        ResponsesReply reply = ResponsesReply.read("{\"id\":\"resp_1\",\"status\":\"incomplete\"," + USAGE + "}", false);

        assertThat(reply).isEqualTo(new ResponsesReply("incomplete", 9, 8));
        assertThat(reply.answered()).isTrue();
    }

    @Test
    void aStreamGivesWhatItsTerminalEventCarries() {
        String stream = event("response.created", "\"sequence_number\":0,\"response\":{\"status\":\"in_progress\",\"usage\":null}")
                + event("response.output_text.delta", "\"sequence_number\":1,\"delta\":\"Hi\"")
                + event("response.completed", "\"sequence_number\":2,\"response\":{\"status\":\"completed\"," + USAGE + "}");

        assertThat(ResponsesReply.read(stream, true)).isEqualTo(new ResponsesReply("completed", 9, 8));
    }

    @Test
    void aStreamWithoutItsEndOrAFailedOneIsNoAnswer() {
        String cut = event("response.created", "\"sequence_number\":0,\"response\":{\"status\":\"in_progress\"}")
                + event("response.output_text.delta", "\"sequence_number\":1,\"delta\":\"Hi\"");
        String failed = event("response.failed", "\"sequence_number\":1,\"response\":{\"status\":\"failed\",\"usage\":null}");

        assertThat(ResponsesReply.read(cut, true).status()).isEqualTo(ResponsesReply.NONE);
        assertThat(ResponsesReply.read(failed, true).status()).isEqualTo("failed");
        assertThat(ResponsesReply.read(failed, true).answered()).isFalse();
        assertThat(ResponsesReply.read("not json", false).answered()).isFalse();
    }
}
