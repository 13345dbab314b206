package dev.sluice.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.limit.Rate;

import java.io.IOException;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A {@link KeyRecord} as the store keeps it: a JSON text with its own names, written and read by hand
 * so that the stored form stays what this class says, whatever Jackson's settings.
 */
public final class KeyRecordCodec {

    private static final ObjectMapper JSON = new ObjectMapper();

    private KeyRecordCodec() {
    }

    public static String encode(KeyRecord record) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", record.id());
        node.put("name", record.name());
        node.put("plan", record.plan());
        node.set("overrides", encode(record.overrides()));
        record.expiresAt().ifPresent(at -> node.put("expires_at", at.toString()));
        node.put("disabled", record.disabled());
        node.put("created_at", record.createdAt().toString());
        record.rotatedAt().ifPresent(at -> node.put("rotated_at", at.toString()));
        node.put("secret_sha256", record.secretHash());
        record.previousSecret().ifPresent(previous -> {
            node.put("previous_secret_sha256", previous.hash());
            node.put("previous_secret_valid_until", previous.validUntil().toString());
        });
        return node.toString();
    }

    /** A key's overrides as JSON, only those set: as stored, and as the admin API shows them. */
    public static ObjectNode encode(KeyOverrides overrides) {
        ObjectNode node = JSON.createObjectNode();
        overrides.rate().ifPresent(rate -> node.put("rate", rate.toString()));
        put(node, "burst", overrides.burst());
        put(node, "tpm", overrides.tpm());
        put(node, "max_concurrent", overrides.maxConcurrent());
        put(node, "daily_requests", overrides.dailyRequests());
        put(node, "daily_tokens", overrides.dailyTokens());
        put(node, "monthly_requests", overrides.monthlyRequests());
        put(node, "monthly_tokens", overrides.monthlyTokens());
        return node;
    }

    /** @throws IllegalArgumentException when the text is not a key record */
    public static KeyRecord decode(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a key record: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a key record: not a JSON object");
        }
        JsonNode overrides = node.path("overrides");
        KeyOverrides parsed = new KeyOverrides(text(overrides, "rate").map(Rate::parse), number(overrides, "burst"),
                number(overrides, "tpm"), number(overrides, "max_concurrent"), number(overrides, "daily_requests"),
                number(overrides, "daily_tokens"), number(overrides, "monthly_requests"), number(overrides, "monthly_tokens"));
        Optional<KeyRecord.PreviousSecret> previous = text(node, "previous_secret_sha256")
                .map(hash -> new KeyRecord.PreviousSecret(hash, Instant.parse(required(node, "previous_secret_valid_until"))));
        return new KeyRecord(required(node, "id"), required(node, "name"), required(node, "plan"), parsed,
                text(node, "expires_at").map(Instant::parse), node.path("disabled").asBoolean(false),
                Instant.parse(required(node, "created_at")), text(node, "rotated_at").map(Instant::parse),
                required(node, "secret_sha256"), previous);
    }

    private static void put(ObjectNode node, String field, OptionalLong value) {
        value.ifPresent(number -> node.put(field, number));
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    private static OptionalLong number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? OptionalLong.empty() : OptionalLong.of(value.asLong());
    }

    private static String required(JsonNode node, String field) {
        return text(node, field).orElseThrow(() -> new IllegalArgumentException("not a key record: no " + field));
    }
}
