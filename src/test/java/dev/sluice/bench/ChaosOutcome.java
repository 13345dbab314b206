package dev.sluice.bench;

import java.nio.charset.StandardCharsets;

/**
 * What one chat request through Sluice came to, as its client sees it, from the strictest reading of the
 * bytes: a stream is whole only with its {@code data: [DONE]}, an error is clean only in OpenAI's JSON.
 */
enum ChaosOutcome {
    /** 2xx, whole: a completion with choices, or a stream to its [DONE]. */
    OK(false),
    /** An error in OpenAI's JSON that Sluice wrote itself (its own code: upstream_timeout, ...). */
    SLUICE_ERROR(false),
    /** An upstream error in OpenAI's JSON that Sluice relayed (the simulator's request id on it). */
    RELAYED_ERROR(false),
    /** A stream that ends, properly framed, with an error event instead of [DONE]: a signal a client can read. */
    STREAM_ERROR_EVENT(false),
    /** Nobody listened: refused before a byte was sent. */
    REFUSED(false),
    /** An error status without OpenAI's JSON. */
    NON_JSON_ERROR(true),
    /** A 2xx whose body ended, properly framed, before it was whole (a stream without [DONE]): silent loss. */
    TRUNCATED(true),
    /** The request was sent and the connection closed or reset before any answer. */
    RESET_BEFORE_ANSWER(true),
    /** An answer started and the connection ended before it was whole. */
    CUT(true),
    /** No whole answer within the client's timeout. */
    TIMEOUT(true);

    /** Whether a client could not tell what happened from a status and a JSON error. */
    final boolean unclean;

    ChaosOutcome(boolean unclean) {
        this.unclean = unclean;
    }

    static ChaosOutcome of(RawExchange.Exchange exchange, boolean stream) {
        RawAnswer answer = exchange.first();
        switch (exchange.end()) {
            case REFUSED -> {
                return REFUSED;
            }
            case NO_ANSWER -> {
                return RESET_BEFORE_ANSWER;
            }
            case TIMEOUT -> {
                return TIMEOUT;
            }
            case CUT -> {
                return answer != null && answer.status() < 0 ? RESET_BEFORE_ANSWER : CUT;
            }
            case COMPLETE -> {
            }
        }
        int status = answer.status();
        if (status >= 400) {
            if (!AnswerCheck.openAiError(answer.body())) {
                return NON_JSON_ERROR;
            }
            return AnswerCheck.relayed(answer) ? RELAYED_ERROR : SLUICE_ERROR;
        }
        String body = new String(answer.body(), StandardCharsets.UTF_8);
        if (stream) {
            if (body.contains("data: [DONE]")) {
                return OK;
            }
            return body.contains("data: {\"error\"") ? STREAM_ERROR_EVENT : TRUNCATED;
        }
        return status / 100 == 2 && body.contains("\"choices\"") ? OK : TRUNCATED;
    }
}
