package dev.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.openai.Operation;
import dev.sluice.tokens.TokenEstimate;
import dev.sluice.tokens.TokenEstimator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request path's first two steps, validation and the estimate, over generated bodies whose
 * budget fields ({@code max_tokens}, {@code max_completion_tokens}, {@code n}, {@code best_of}) take
 * any JSON value: every body is either refused with a 400 naming a field that really is not an
 * integer in its range, or admitted on an estimate that reserves at least what it asks for, never
 * negative, never an exception (issue 17, defect 2).
 */
class RequestValidationProperties {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectReader READER = ProxiedRequest.strictReader(MAPPER);
    private static final TokenEstimator ESTIMATOR = new TokenEstimator();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final long DEFAULT_MAX_TOKENS = 1024;
    /** Each field with its range, as OpenAI documents them (n: 1 to 128) and the estimate can reserve. */
    private static final Map<String, long[]> RANGES = Map.of("max_tokens", new long[] {1, TokenEstimate.MAX_COMPLETION_TOKENS},
            "max_completion_tokens", new long[] {1, TokenEstimate.MAX_COMPLETION_TOKENS}, "n", new long[] {1, 128},
            "best_of", new long[] {1, 128});

    @Property(tries = 1000)
    void aChatBodyIsRefusedForAFieldOutOfRangeOrReservesWhatItAsks(@ForAll("budgetValues") JsonNode maxTokens,
            @ForAll("budgetValues") JsonNode maxCompletionTokens, @ForAll("budgetValues") JsonNode n) throws Exception {
        ObjectNode body = NODES.objectNode().put("model", "gpt-4o");
        body.putArray("messages").addObject().put("role", "user").put("content", "hello world");
        putUnlessMissing(body, "max_tokens", maxTokens);
        putUnlessMissing(body, "max_completion_tokens", maxCompletionTokens);
        putUnlessMissing(body, "n", n);

        ProxiedRequest request;
        try {
            request = ProxiedRequest.parse(Operation.CHAT_COMPLETIONS, MAPPER.writeValueAsBytes(body), READER);
        } catch (GatewayException refused) {
            assertRefusedForABadField(refused, body);
            return;
        }
        OptionalLong askedBudget = asked(body, "max_completion_tokens").isPresent() ? asked(body, "max_completion_tokens")
                : asked(body, "max_tokens");
        long choices = asked(body, "n").orElse(1);
        TokenEstimate estimate = ESTIMATOR.estimate(Operation.CHAT_COMPLETIONS, request.json(), DEFAULT_MAX_TOKENS);

        assertThat(estimate.maxCompletionTokens()).isEqualTo(askedBudget.orElse(DEFAULT_MAX_TOKENS));
        assertThat(estimate.choices()).isEqualTo(choices);
        assertThat(estimate.reservedTokens()).isGreaterThanOrEqualTo(estimate.maxCompletionTokens() * choices).isPositive();
        assertThat(estimate.chargedOnArrival()).isGreaterThanOrEqualTo(estimate.maxCompletionTokens() * choices).isPositive();
    }

    @Property(tries = 500)
    void aCompletionsBodyReservesEveryBestOfItAsks(@ForAll("budgetValues") JsonNode maxTokens, @ForAll("budgetValues") JsonNode n,
            @ForAll("budgetValues") JsonNode bestOf) throws Exception {
        ObjectNode body = NODES.objectNode().put("model", "gpt-3.5-turbo-instruct").put("prompt", "hello world");
        putUnlessMissing(body, "max_tokens", maxTokens);
        putUnlessMissing(body, "n", n);
        putUnlessMissing(body, "best_of", bestOf);

        ProxiedRequest request;
        try {
            request = ProxiedRequest.parse(Operation.COMPLETIONS, MAPPER.writeValueAsBytes(body), READER);
        } catch (GatewayException refused) {
            assertRefusedForABadField(refused, body);
            return;
        }
        TokenEstimate estimate = ESTIMATOR.estimate(Operation.COMPLETIONS, request.json(), DEFAULT_MAX_TOKENS);

        long choices = Math.max(asked(body, "n").orElse(1), asked(body, "best_of").orElse(1));
        assertThat(estimate.maxCompletionTokens()).isEqualTo(asked(body, "max_tokens").orElse(16));
        assertThat(estimate.choices()).isEqualTo(choices);
        assertThat(estimate.reservedTokens()).isGreaterThanOrEqualTo(estimate.maxCompletionTokens() * choices);
    }

    @Property(tries = 500)
    void anyBytesAreEitherABodyOrA400NeverAnotherFailure(@ForAll("bodies") byte[] bytes) {
        for (Operation operation : List.of(Operation.CHAT_COMPLETIONS, Operation.COMPLETIONS, Operation.EMBEDDINGS)) {
            try {
                ProxiedRequest request = ProxiedRequest.parse(operation, bytes, READER);
                assertThat(ESTIMATOR.estimate(operation, request.json(), DEFAULT_MAX_TOKENS).reservedTokens()).isNotNegative();
            } catch (GatewayException refused) {
                assertThat(refused.status()).isEqualTo(400);
                assertThat(refused.body().error().message()).isNotBlank();
            }
        }
    }

    /** The 400 names a field, and that field is set to something that is not an integer in its range. */
    private static void assertRefusedForABadField(GatewayException refused, ObjectNode body) {
        assertThat(refused.status()).isEqualTo(400);
        String param = refused.body().error().param();
        assertThat(RANGES).containsKey(param);
        assertThat(asked(body, param)).as("%s = %s is refused", param, body.get(param)).isEmpty();
        assertThat(body.get(param).isNull()).isFalse();
        assertThat(refused.getMessage()).contains("'" + param + "'");
    }

    /**
     * The field's value when it is an integer in its range (JSON Schema's reading: a zero fraction is
     * an integer); empty when it is absent, null, or anything else.
     */
    private static OptionalLong asked(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isNumber()) {
            return OptionalLong.empty();
        }
        BigDecimal number;
        try {
            number = new BigDecimal(value.asText());
        } catch (NumberFormatException infinite) {
            return OptionalLong.empty();
        }
        long[] range = RANGES.get(field);
        if (number.stripTrailingZeros().scale() > 0 || number.compareTo(BigDecimal.valueOf(range[0])) < 0
                || number.compareTo(BigDecimal.valueOf(range[1])) > 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(number.longValueExact());
    }

    private static void putUnlessMissing(ObjectNode body, String field, JsonNode value) {
        if (!value.isMissingNode()) {
            body.set(field, value);
        }
    }

    @Provide
    Arbitrary<JsonNode> budgetValues() {
        return Arbitraries.oneOf(
                Arbitraries.just(NODES.missingNode()),
                Arbitraries.longs().map(NODES::numberNode),
                Arbitraries.integers().between(-5, 300).map(NODES::numberNode),
                Arbitraries.longs().between(9_999_990, 10_000_010).map(NODES::numberNode),
                Arbitraries.doubles().map(NODES::numberNode),
                Arbitraries.integers().between(-3, 200).map(i -> NODES.numberNode(i.doubleValue())),
                Arbitraries.bigIntegers().between(BigInteger.TWO.pow(63), BigInteger.TWO.pow(200)).map(NODES::numberNode),
                Arbitraries.of(NODES.textNode("100"), NODES.textNode(""), NODES.booleanNode(true), NODES.nullNode(),
                        NODES.numberNode(1e308), NODES.numberNode(-1e308), NODES.numberNode(1.5), NODES.numberNode(0),
                        NODES.numberNode(new BigDecimal("1E+400")), NODES.numberNode(new BigDecimal("100.000")),
                        NODES.objectNode(), NODES.arrayNode().add(3)));
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        Arbitrary<String> values = Arbitraries.of("1", "-1", "0", "1e308", "1e400", "-1e400", "1.5", "100.0", "\"x\"", "true", "null",
                "[]", "{}", "99999999999999999999999999", "NaN", "Infinity", "0x10", "01");
        Arbitrary<String> fields = Arbitraries.of("max_tokens", "max_completion_tokens", "n", "best_of", "model", "messages", "prompt",
                "input", "stream");
        Arbitrary<String> objects = Arbitraries.maps(fields, values).ofMaxSize(6).map(map -> {
            StringBuilder json = new StringBuilder("{");
            map.forEach((field, value) -> json.append(json.length() > 1 ? "," : "").append('"').append(field).append("\":").append(value));
            return json.append('}').toString();
        });
        Arbitrary<String> valid = values.map(value -> "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"prompt\":\"p\",\"input\":\"i\",\"max_tokens\":" + value + ",\"n\":" + value + "}");
        return Arbitraries.oneOf(objects, valid, Arbitraries.strings().ofMaxLength(200))
                .map(text -> text.getBytes(StandardCharsets.UTF_8));
    }
}
