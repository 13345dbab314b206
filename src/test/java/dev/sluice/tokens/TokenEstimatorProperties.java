package dev.sluice.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

import static dev.sluice.openai.Operation.CHAT_COMPLETIONS;
import static dev.sluice.openai.Operation.EMBEDDINGS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What must hold for every request body the estimator may see once it passed validation: generated
 * messages of any text (any Unicode, special tokens, empty), names, content parts and images, and
 * budget fields of any JSON type and size. The estimate never fails, never goes negative, never
 * charges less than the text's characters by the rule of four or the budget it reads, and never
 * falls when the request grows.
 */
class TokenEstimatorProperties {

    private static final TokenEstimator ESTIMATOR = new TokenEstimator();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final long DEFAULT_MAX_TOKENS = 1024;

    @Property(tries = 300)
    void anyChatBodyIsEstimatedWithinItsBounds(@ForAll("messages") @Size(min = 1, max = 12) List<JsonNode> messages,
            @ForAll("budgetValues") JsonNode maxTokens, @ForAll("budgetValues") JsonNode maxCompletionTokens,
            @ForAll("budgetValues") JsonNode n, @ForAll("models") String model) {
        ObjectNode body = chat(model, messages);
        body.set("max_tokens", maxTokens);
        body.set("max_completion_tokens", maxCompletionTokens);
        body.set("n", n);

        TokenEstimate estimate = ESTIMATOR.estimate(CHAT_COMPLETIONS, body, DEFAULT_MAX_TOKENS);

        assertThat(estimate.promptTokens()).isGreaterThanOrEqualTo(TokenEstimator.REPLY_PRIMING_TOKENS
                + (long) TokenEstimator.TOKENS_PER_MESSAGE * messages.size());
        assertThat(estimate.promptTokensFromCharacters()).isGreaterThanOrEqualTo((textCharacters(messages) + 3) / 4);
        assertThat(estimate.maxCompletionTokens()).isBetween(1L, TokenEstimate.MAX_COMPLETION_TOKENS);
        assertThat(estimate.choices()).isBetween(1, (int) TokenEstimator.MAX_CHOICES_PER_PROMPT);
        long completions = estimate.maxCompletionTokens() * estimate.choices();
        assertThat(estimate.chargedOnArrival()).isEqualTo(estimate.promptTokensFromCharacters() + completions);
        assertThat(estimate.reservedTokens()).isEqualTo(estimate.promptTokens() + completions);
        long expectedBudget = positiveInteger(maxCompletionTokens) > 0 ? positiveInteger(maxCompletionTokens)
                : positiveInteger(maxTokens) > 0 ? positiveInteger(maxTokens) : DEFAULT_MAX_TOKENS;
        assertThat(estimate.maxCompletionTokens()).isEqualTo(expectedBudget); // never below what the body asks for
        long choices = positiveInteger(n);
        assertThat(estimate.choices()).isEqualTo(choices >= 1 && choices <= 128 ? choices : 1);
    }

    @Property(tries = 200)
    void anotherMessageNeverLowersAnEstimate(@ForAll("messages") @Size(min = 1, max = 8) List<JsonNode> messages,
            @ForAll("messages") @Size(min = 1, max = 1) List<JsonNode> another) {
        TokenEstimate before = ESTIMATOR.estimate(CHAT_COMPLETIONS, chat("gpt-4o", messages), DEFAULT_MAX_TOKENS);
        List<JsonNode> more = new java.util.ArrayList<>(messages);
        more.addAll(another);
        TokenEstimate after = ESTIMATOR.estimate(CHAT_COMPLETIONS, chat("gpt-4o", more), DEFAULT_MAX_TOKENS);

        assertThat(after.promptTokens()).isGreaterThan(before.promptTokens());
        assertThat(after.promptTokensFromCharacters()).isGreaterThanOrEqualTo(before.promptTokensFromCharacters());
        assertThat(after.chargedOnArrival()).isGreaterThanOrEqualTo(before.chargedOnArrival());
    }

    @Property(tries = 200)
    void anEmbeddingsInputIsChargedItsCharactersAndNothingGenerated(@ForAll @Size(max = 5) List<@From("texts") String> inputs) {
        ArrayNode input = NODES.arrayNode();
        inputs.forEach(input::add);
        ObjectNode body = NODES.objectNode().put("model", "text-embedding-3-small");
        body.set("input", input);

        TokenEstimate estimate = ESTIMATOR.estimate(EMBEDDINGS, body, DEFAULT_MAX_TOKENS);

        long characters = inputs.stream().mapToLong(String::length).sum();
        assertThat(estimate.chargedOnArrival()).isEqualTo((characters + 3) / 4);
        assertThat(estimate.maxCompletionTokens()).isZero();
        assertThat(estimate.reservedTokens()).isEqualTo(estimate.promptTokens());
    }

    private static ObjectNode chat(String model, List<JsonNode> messages) {
        ObjectNode body = NODES.objectNode().put("model", model);
        ArrayNode array = body.putArray("messages");
        messages.forEach(array::add);
        return body;
    }

    /** Characters of the strings that are message text (roles, names, contents, text parts). */
    private static long textCharacters(List<JsonNode> messages) {
        long characters = 0;
        for (JsonNode message : messages) {
            characters += message.path("role").asText("").length() + message.path("name").asText("").length();
            JsonNode content = message.path("content");
            if (content.isTextual()) {
                characters += content.textValue().length();
            }
            for (JsonNode part : content.isArray() ? content : NODES.arrayNode()) {
                characters += part.path("text").asText("").length();
            }
        }
        return characters;
    }

    /**
     * What a budget field asks for, by JSON Schema's reading of an integer (a zero fraction is one):
     * the value when it is one from 1 to the cap, else 0 (the request path refuses such a body; the
     * estimate reads it as absent).
     */
    static long positiveInteger(JsonNode value) {
        if (!value.isNumber() || (value.isFloatingPointNumber() && !value.isBigDecimal() && !Double.isFinite(value.doubleValue()))) {
            return 0;
        }
        BigDecimal number = new BigDecimal(value.asText());
        if (number.signum() <= 0 || number.stripTrailingZeros().scale() > 0
                || number.compareTo(BigDecimal.valueOf(TokenEstimate.MAX_COMPLETION_TOKENS)) > 0) {
            return 0;
        }
        return number.longValueExact();
    }

    @Provide
    Arbitrary<String> models() {
        return Arbitraries.of("gpt-4o", "gpt-4o-mini", "gpt-4", "gpt-3.5-turbo", "o3-mini", "llama-3", "openai/gpt-5", "");
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(200),
                Arbitraries.strings().alpha().numeric().whitespace().ofMaxLength(400),
                Arbitraries.of("<|endoftext|>", "<|im_start|>", "", " ", "お誕生日おめでとう", "😀👍🏽", "\u0000"));
    }

    @Provide
    Arbitrary<List<JsonNode>> messages() {
        Arbitrary<JsonNode> plain = Combinators.combine(Arbitraries.of("system", "user", "assistant", "tool"), texts())
                .as((role, text) -> NODES.objectNode().put("role", role).put("content", text));
        Arbitrary<JsonNode> named = Combinators.combine(texts(), texts())
                .as((name, text) -> NODES.objectNode().put("role", "user").put("name", name).put("content", text));
        Arbitrary<JsonNode> parts = texts().list().ofMaxSize(4).map(texts -> {
            ObjectNode message = NODES.objectNode().put("role", "user");
            ArrayNode content = message.putArray("content");
            texts.forEach(text -> content.addObject().put("type", "text").put("text", text));
            content.addObject().put("type", "image_url").putObject("image_url").put("url", "https://example.com/a.png");
            return message;
        });
        Arbitrary<JsonNode> nullContent = Arbitraries.just(NODES.objectNode().put("role", "assistant").putNull("content"));
        return Arbitraries.oneOf(plain, named, parts, nullContent).list();
    }

    @Provide
    Arbitrary<JsonNode> budgetValues() {
        return Arbitraries.oneOf(
                Arbitraries.longs().map(NODES::numberNode),
                Arbitraries.integers().between(-5, 5000).map(NODES::numberNode),
                Arbitraries.doubles().map(NODES::numberNode),
                Arbitraries.integers().between(-3, 5000).map(i -> NODES.numberNode(i.doubleValue())), // 100.0 is 100
                Arbitraries.bigIntegers().between(BigInteger.TWO.pow(63), BigInteger.TWO.pow(200)).map(NODES::numberNode),
                Arbitraries.of(NODES.textNode("100"), NODES.booleanNode(true), NODES.nullNode(), NODES.numberNode(1e308),
                        NODES.objectNode(), NODES.arrayNode().add(3)));
    }
}
