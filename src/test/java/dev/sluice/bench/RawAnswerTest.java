package dev.sluice.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.sluice.bench.HostileCase.latin1;
import static org.assertj.core.api.Assertions.assertThat;

/** How the chaos drivers read answers off a socket: whole, not yet whole, or cut short. */
class RawAnswerTest {

    private static final String JSON_ERROR = "{\"error\":{\"message\":\"no\",\"type\":\"invalid_request_error\"}}";

    @Test
    void aBodyWithItsLengthIsWholeOnceEveryByteCame() {
        String answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: " + JSON_ERROR.length() + "\r\n\r\n" + JSON_ERROR;

        assertThat(RawAnswer.parse(latin1(answer.substring(0, answer.length() - 1)), 0, false, false)).isNull();
        RawAnswer whole = RawAnswer.parse(latin1(answer), 0, false, false);
        assertThat(whole.status()).isEqualTo(400);
        assertThat(AnswerCheck.openAiError(whole.body())).isTrue();
    }

    @Test
    void chunksAreJoinedAndTheLastOneEndsTheBody() {
        String head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        String chunks = "5\r\ndata:\r\n7\r\n [DONE]\r\n";

        assertThat(RawAnswer.parse(latin1(head + chunks), 0, false, false)).isNull();
        RawAnswer whole = RawAnswer.parse(latin1(head + chunks + "0\r\n\r\n"), 0, false, false);
        assertThat(whole.bodyText()).isEqualTo("data: [DONE]");
    }

    @Test
    void aStreamCutBeforeItsLastChunkIsPartialWithWhatCame() {
        RawAnswer partial = RawAnswer.partial(latin1("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\ndata:\r\n3\r\n {"), 0);

        assertThat(partial.status()).isEqualTo(200);
        assertThat(partial.complete()).isFalse();
        assertThat(partial.bodyText()).isEqualTo("data: {");
        assertThat(ChaosOutcome.of(new RawExchange.Exchange(RawAnswer.End.CUT, List.of(partial), 1, "closed"), true))
                .isEqualTo(ChaosOutcome.CUT);
    }

    @Test
    void interimAnswersAreSkippedAndHeadAnswersHaveNoBody() {
        byte[] bytes = latin1("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 405 Method Not Allowed\r\nContent-Length: 10\r\n\r\n");

        RawAnswer answer = RawAnswer.parse(bytes, 0, true, false);

        assertThat(answer.status()).isEqualTo(405);
        assertThat(answer.length()).isEqualTo(bytes.length);
    }

    @Test
    void aWellFramedStreamWithoutDoneIsTruncatedAndOneEndingInAnErrorEventIsClean() {
        RawAnswer truncated = RawAnswer.parse(latin1("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "6\r\ndata: \r\n0\r\n\r\n"), 0, false, false);
        RawAnswer errorEvent = RawAnswer.parse(latin1("HTTP/1.1 200 OK\r\nContent-Length: 19\r\n\r\ndata: {\"error\":{}}\n"),
                0, false, false);

        assertThat(ChaosOutcome.of(new RawExchange.Exchange(RawAnswer.End.COMPLETE, List.of(truncated), 1, null), true))
                .isEqualTo(ChaosOutcome.TRUNCATED);
        assertThat(ChaosOutcome.of(new RawExchange.Exchange(RawAnswer.End.COMPLETE, List.of(errorEvent), 1, null), true))
                .isEqualTo(ChaosOutcome.STREAM_ERROR_EVENT);
    }

    @Test
    void aFiveHundredIsRelayedOnlyWithTheSimulatorsRequestId() {
        String body = "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}";
        RawAnswer relayed = RawAnswer.parse(latin1("HTTP/1.1 500 Internal Server Error\r\nx-request-id: req_sim7\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body), 0, false, false);
        RawAnswer own = RawAnswer.parse(latin1("HTTP/1.1 500 Internal Server Error\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body), 0, false, false);

        assertThat(AnswerCheck.relayed(relayed)).isTrue();
        assertThat(AnswerCheck.relayed(own)).isFalse();
    }
}
