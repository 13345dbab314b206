package dev.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.sluice.openai.Operation;
import dev.sluice.tokens.CountParameter;

import java.io.IOException;

/**
 * A request body checked just enough to admit and route it. The bytes are forwarded as they came:
 * OpenAI adds fields often, and a round trip through a DTO would drop the ones it does not know.
 *
 * @param endpoint the operation
 * @param model    the requested model
 * @param stream   {@code "stream": true}: the reply is a server-sent event stream
 * @param body     the body exactly as received
 * @param json     the body parsed, for estimating its token cost
 */
public record ProxiedRequest(Operation endpoint, String model, boolean stream, byte[] body, JsonNode json) {

    /** Longer than any model or deployment name (OpenAI's fine-tuned names are under 100 characters). */
    static final int MAX_MODEL_CHARS = 256;

    /** A reader for {@link #parse}: it also refuses trailing garbage after the JSON object. */
    public static ObjectReader strictReader(ObjectMapper mapper) {
        return mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /**
     * Parses and validates a body for {@code endpoint}.
     *
     * @param reader from {@link #strictReader}
     * @throws GatewayException 400 naming the offending field
     */
    public static ProxiedRequest parse(Operation endpoint, byte[] body, ObjectReader reader) {
        JsonNode root = readObject(body, reader);
        String model = endpoint == Operation.MODERATIONS && (root.get("model") == null || root.get("model").isNull())
                ? Operation.DEFAULT_MODERATION_MODEL : requireModel(root);
        boolean stream = readStream(root);
        switch (endpoint) {
            case CHAT_COMPLETIONS -> requireMessages(root);
            case COMPLETIONS -> requirePresent(root, "prompt");
            case EMBEDDINGS, MODERATIONS -> requirePresent(root, "input");
            case RESPONSES -> checkResponseInput(root);
            case MODELS -> throw new IllegalArgumentException("GET /v1/models has no body");
        }
        CountParameter.of(endpoint).forEach(parameter -> requireInRange(root, parameter));
        return new ProxiedRequest(endpoint, model, stream, body, root);
    }

    private static JsonNode readObject(byte[] body, ObjectReader reader) {
        JsonNode root;
        try {
            root = body.length == 0 ? null : reader.readTree(body);
        } catch (IOException e) { // includes JsonProcessingException
            throw unparsable();
        }
        if (root == null || root.isMissingNode()) {
            throw GatewayException.invalidRequest(400, "The request body is empty; the API expects a JSON object.",
                    null, "invalid_json");
        }
        if (!root.isObject()) {
            throw GatewayException.invalidRequest(400, "The request body must be a JSON object, got "
                    + describe(root) + ".", null, "invalid_json");
        }
        return root;
    }

    private static GatewayException unparsable() {
        return GatewayException.invalidRequest(400, "We could not parse the JSON body of your request. The API "
                + "expects a JSON payload; check that the body is valid JSON.", null, "invalid_json");
    }

    private static String requireModel(JsonNode root) {
        JsonNode model = root.get("model");
        if (model == null || model.isNull()) {
            throw missing("model");
        }
        if (!model.isTextual()) {
            throw invalidType("model", "a string", model);
        }
        if (model.asText().isBlank()) {
            throw GatewayException.invalidRequest(400, "'model' must not be empty.", "model", "invalid_value");
        }
        if (model.asText().length() > MAX_MODEL_CHARS) {
            // a model's name goes into the request log, metric labels and usage rows: a caller must not
            // be able to write megabytes there (issue 17's chaos suite found 1 MB names kept as labels)
            throw GatewayException.invalidRequest(400, "'model' is too long: at most " + MAX_MODEL_CHARS + " characters, got "
                    + model.asText().length() + ".", "model", "string_above_max_length");
        }
        return model.asText();
    }

    private static boolean readStream(JsonNode root) {
        JsonNode stream = root.get("stream");
        if (stream == null || stream.isNull()) {
            return false;
        }
        if (!stream.isBoolean()) {
            throw invalidType("stream", "a boolean", stream);
        }
        return stream.booleanValue();
    }

    private static void requireMessages(JsonNode root) {
        JsonNode messages = root.get("messages");
        if (messages == null || messages.isNull()) {
            throw missing("messages");
        }
        if (!messages.isArray()) {
            throw invalidType("messages", "an array", messages);
        }
        if (messages.isEmpty()) {
            throw GatewayException.invalidRequest(400, "'messages' must contain at least one message.", "messages",
                    "empty_array");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String param = "messages[" + i + "]";
            if (!message.isObject()) {
                throw invalidType(param, "an object", message);
            }
            JsonNode role = message.get("role");
            if (role == null || role.isNull()) {
                throw missing(param + ".role");
            }
            if (!role.isTextual()) {
                throw invalidType(param + ".role", "a string", role);
            }
        }
    }

    /**
     * The Responses API's {@code input} is optional (a request may go on from {@code previous_response_id}
     * or a stored prompt), but when there it is text or a list of items, each an object; {@code instructions}
     * is text. What an item holds beyond that is the upstream's to judge: its types grow with every release.
     */
    private static void checkResponseInput(JsonNode root) {
        JsonNode input = root.get("input");
        if (input != null && !input.isNull()) {
            if (!input.isTextual() && !input.isArray()) {
                throw invalidType("input", "a string or an array", input);
            }
            for (int i = 0; i < input.size(); i++) {
                JsonNode item = input.get(i);
                if (!item.isObject()) {
                    throw invalidType("input[" + i + "]", "an object", item);
                }
                JsonNode role = item.get("role");
                if (role != null && !role.isNull() && !role.isTextual()) {
                    throw invalidType("input[" + i + "].role", "a string", role);
                }
            }
        }
        requireTextIfPresent(root, "instructions");
        requireTextIfPresent(root, "previous_response_id");
        JsonNode tools = root.get("tools");
        if (tools != null && !tools.isNull() && !tools.isArray()) {
            throw invalidType("tools", "an array", tools);
        }
    }

    private static void requireTextIfPresent(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value != null && !value.isNull() && !value.isTextual()) {
            throw invalidType(field, "a string", value);
        }
    }

    private static void requirePresent(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            throw missing(field);
        }
    }

    /** OpenAI's words and codes for a bad integer parameter (e.g. OpenBMB/ChatDev#446: {@code integer_below_min_value}). */
    private static void requireInRange(JsonNode root, CountParameter parameter) {
        String param = parameter.name();
        CountParameter.Reading reading = parameter.read(root);
        if (reading instanceof CountParameter.NotAnInteger notOne) {
            throw invalidType(param, "an integer", notOne.value());
        }
        if (reading instanceof CountParameter.OutOfRange out) {
            throw GatewayException.invalidRequest(400, out.below()
                    ? "Invalid '" + param + "': integer below minimum value. Expected a value >= " + parameter.min() + ", but got "
                            + out.value() + " instead."
                    : "Invalid '" + param + "': integer above maximum value. Expected a value <= " + parameter.max() + ", but got "
                            + out.value() + " instead.",
                    param, out.below() ? "integer_below_min_value" : "integer_above_max_value");
        }
    }

    private static GatewayException missing(String param) {
        return GatewayException.invalidRequest(400, "Missing required parameter: '" + param + "'.", param,
                "missing_required_parameter");
    }

    private static GatewayException invalidType(String param, String expected, JsonNode actual) {
        return GatewayException.invalidRequest(400, "Invalid type for '" + param + "': expected " + expected
                + ", but got " + describe(actual) + " instead.", param, "invalid_type");
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> node.isFloatingPointNumber() ? "a decimal number" : "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "an unsupported value";
        };
    }
}
