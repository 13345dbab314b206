package dev.sluice.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.openai.Operation;

import java.math.BigDecimal;
import java.util.List;

/**
 * An integer parameter that sizes what a request may generate ({@code max_tokens},
 * {@code max_completion_tokens}, {@code n}, {@code best_of}), with the range it may take. A request
 * is admitted on what these say, so a value the estimate cannot read exactly must be refused before
 * any bucket is charged, as OpenAI refuses it, not read as absent: an upstream that took
 * {@code "max_tokens": 1e6} as a number would generate past the reservation (issue 17).
 *
 * <p>As JSON Schema's {@code integer} (and OpenAI's validation) has it, a number with a zero fraction
 * ({@code 100.0}) is that integer; {@code 1.5}, {@code 1e308}, strings and booleans are not one or out of range.
 *
 * @param name the body field
 * @param min  its least value
 * @param max  its greatest value: what the estimate can reserve for
 */
public record CountParameter(String name, long min, long max) {

    /** Chat's and completions' budget: OpenAI refuses below 1; no model generates near the cap. */
    public static final CountParameter MAX_TOKENS = new CountParameter("max_tokens", 1, TokenEstimate.MAX_COMPLETION_TOKENS);
    public static final CountParameter MAX_COMPLETION_TOKENS = new CountParameter("max_completion_tokens", 1,
            TokenEstimate.MAX_COMPLETION_TOKENS);
    /**
     * The Responses API's budget, reasoning included: OpenAI refuses below 16 ("Invalid 'max_output_tokens': integer
     * below minimum value. Expected a value >= 16", quoted in vectorize-io/hindsight#58).
     */
    public static final CountParameter MAX_OUTPUT_TOKENS = new CountParameter("max_output_tokens", 16,
            TokenEstimate.MAX_COMPLETION_TOKENS);
    /** Choices per prompt: OpenAI allows 1 to 128. */
    public static final CountParameter N = new CountParameter("n", 1, 128);
    /** Completions generated server-side per prompt, all billed; kept to n's range so that the estimate covers it. */
    public static final CountParameter BEST_OF = new CountParameter("best_of", 1, 128);

    /** What a body holds for a parameter. */
    public sealed interface Reading {
    }

    /** Not there, or {@code null}: the operation's default applies. */
    public record Absent() implements Reading {
    }

    public record Valid(long value) implements Reading {
    }

    /** Not an integer: a string, a boolean, an object, an array, a number with a fraction; {@code value} as the body has it. */
    public record NotAnInteger(JsonNode value) implements Reading {
    }

    /** An integer outside {@code [min, max]}; {@code value} as the body wrote it. */
    public record OutOfRange(String value, boolean below) implements Reading {
    }

    private static final Absent ABSENT = new Absent();

    /** The parameters of an operation that size its output, checked in this order. */
    public static List<CountParameter> of(Operation operation) {
        return switch (operation) {
            case CHAT_COMPLETIONS -> List.of(MAX_COMPLETION_TOKENS, MAX_TOKENS, N);
            case COMPLETIONS -> List.of(MAX_TOKENS, N, BEST_OF);
            case RESPONSES -> List.of(MAX_OUTPUT_TOKENS);
            case EMBEDDINGS, MODERATIONS, MODELS -> List.of();
        };
    }

    public Reading read(JsonNode body) {
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) {
            return ABSENT;
        }
        if (!value.isNumber()) {
            return new NotAnInteger(value);
        }
        if (value.isFloatingPointNumber() && !value.isBigDecimal() && !Double.isFinite(value.doubleValue())) {
            return new OutOfRange(value.asText(), value.doubleValue() < 0); // 1e400 read as a double
        }
        BigDecimal number = value.decimalValue(); // exact for every finite JSON number Jackson reads
        if (number.signum() != 0 && number.stripTrailingZeros().scale() > 0) {
            return new NotAnInteger(value);
        }
        if (number.compareTo(BigDecimal.valueOf(min)) < 0) {
            return new OutOfRange(value.asText(), true);
        }
        if (number.compareTo(BigDecimal.valueOf(max)) > 0) {
            return new OutOfRange(value.asText(), false);
        }
        return new Valid(number.longValueExact());
    }

    /** The value when the body holds a valid one, else {@code whenNot}. */
    public long valueOr(JsonNode body, long whenNot) {
        return read(body) instanceof Valid valid ? valid.value() : whenNot;
    }
}
