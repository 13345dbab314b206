package dev.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.sluice.config.Plan;
import dev.sluice.keys.KeyOverrides;
import dev.sluice.keys.KeyRecord;
import dev.sluice.limit.Rate;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin API's request bodies, read strictly: an unknown field, a wrong type or a value out of range
 * is a 400 in OpenAI's error shape naming the field ({@code param}), before anything is changed.
 */
final class AdminRequests {

    private static final Set<String> CREATE_FIELDS = Set.of("name", "plan", "overrides", "expires_at");
    private static final Set<String> PATCH_FIELDS = Set.of("name", "plan", "overrides", "expires_at", "disabled");
    private static final Set<String> ROTATE_FIELDS = Set.of("grace");
    private static final Set<String> OVERRIDE_FIELDS = Set.of("rate", "burst", "tpm", "max_concurrent", "daily_requests", "daily_tokens",
            "monthly_requests", "monthly_tokens");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
    /** Longest grace a rotated key's old secret may keep: long enough for any redeploy, short enough to matter. */
    static final Duration MAX_GRACE = Duration.ofDays(30);

    private AdminRequests() {
    }

    /** @param name, plan, overrides, expiresAt a new key's; plan {@code default} unless given */
    record Create(String name, String plan, KeyOverrides overrides, Optional<Instant> expiresAt) {
    }

    static Create create(byte[] body, ObjectReader json, Set<String> plans, Instant now) {
        JsonNode node = object(body, json, CREATE_FIELDS);
        String name = name(node.get("name")).orElseThrow(() -> bad("name", "A key needs a name."));
        String plan = plan(node.get("plan"), plans).orElse(dev.sluice.config.Plan.DEFAULT_NAME);
        KeyOverrides overrides = node.has("overrides") ? overrides(node.get("overrides")) : KeyOverrides.NONE;
        Optional<Instant> expiresAt = expiry(node.get("expires_at"), now);
        return new Create(name, plan, overrides, expiresAt);
    }

    /** The change a PATCH asks for: only the fields it names. */
    static UnaryOperator<KeyRecord> patch(byte[] body, ObjectReader json, Set<String> plans, Instant now) {
        JsonNode node = object(body, json, PATCH_FIELDS);
        Optional<String> name = node.has("name") ? Optional.of(name(node.get("name")).orElseThrow(() -> bad("name", "A key needs a name.")))
                : Optional.empty();
        Optional<String> plan = node.has("plan") ? plan(node.get("plan"), plans) : Optional.empty();
        Optional<KeyOverrides> overrides = node.has("overrides") ? Optional.of(overrides(node.get("overrides"))) : Optional.empty();
        boolean expirySet = node.has("expires_at");
        Optional<Instant> expiresAt = expirySet ? expiry(node.get("expires_at"), now) : Optional.empty();
        Optional<Boolean> disabled = Optional.empty();
        if (node.has("disabled")) {
            if (!node.get("disabled").isBoolean()) {
                throw bad("disabled", "disabled must be true or false.");
            }
            disabled = Optional.of(node.get("disabled").booleanValue());
        }
        Optional<Boolean> disabledChange = disabled;
        return record -> {
            KeyRecord changed = record;
            changed = name.map(changed::withName).orElse(changed);
            changed = plan.map(changed::withPlan).orElse(changed);
            changed = overrides.map(changed::withOverrides).orElse(changed);
            changed = expirySet ? changed.withExpiry(expiresAt) : changed;
            return disabledChange.map(changed::withDisabled).orElse(changed);
        };
    }

    /** A rotation's grace; none when the body is empty or does not name one. */
    static Duration grace(byte[] body, ObjectReader json) {
        if (body == null || body.length == 0) {
            return Duration.ZERO;
        }
        JsonNode grace = object(body, json, ROTATE_FIELDS).get("grace");
        if (grace == null || grace.isNull()) {
            return Duration.ZERO;
        }
        Matcher matcher = grace.isTextual() ? DURATION.matcher(grace.textValue().strip()) : null;
        if (matcher == null || !matcher.matches()) {
            throw bad("grace", "grace must be a duration such as 90s, 30m, 1h or 7d.");
        }
        long amount = Long.parseLong(matcher.group(1));
        Duration duration = switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
        if (duration.compareTo(MAX_GRACE) > 0) {
            throw bad("grace", "grace may be at most 30d.");
        }
        return duration;
    }

    private static JsonNode object(byte[] body, ObjectReader json, Set<String> fields) {
        JsonNode node;
        try {
            node = body == null || body.length == 0 ? null : json.readTree(body);
        } catch (IOException e) {
            throw bad(null, "The body is not valid JSON.");
        }
        if (node == null || !node.isObject()) {
            throw bad(null, "The body must be a JSON object.");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!fields.contains(field)) {
                throw bad(field, "Unknown field " + field + "; expected " + String.join(", ", fields.stream().sorted().toList()) + ".");
            }
        }
        return node;
    }

    private static Optional<String> name(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual() || node.textValue().isBlank()) {
            throw bad("name", "name must be a non-empty string.");
        }
        String name = node.textValue().strip();
        if (name.length() > KeyRecord.MAX_NAME_LENGTH || name.chars().anyMatch(Character::isISOControl)) {
            throw bad("name", "name must be at most " + KeyRecord.MAX_NAME_LENGTH + " printable characters.");
        }
        return Optional.of(name);
    }

    private static Optional<String> plan(JsonNode node, Set<String> plans) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual() || !plans.contains(node.textValue())) {
            throw bad("plan", "plan must be one of " + String.join(", ", plans.stream().sorted().toList()) + ".");
        }
        return Optional.of(node.textValue());
    }

    private static Optional<Instant> expiry(JsonNode node, Instant now) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        try {
            Instant at = Instant.parse(node.asText());
            if (!node.isTextual() || !at.isAfter(now)) {
                throw bad("expires_at", "expires_at must be a moment in the future.");
            }
            return Optional.of(at);
        } catch (DateTimeParseException e) {
            throw bad("expires_at", "expires_at must be an ISO-8601 UTC time such as 2027-01-31T00:00:00Z.");
        }
    }

    private static KeyOverrides overrides(JsonNode node) {
        if (node == null || node.isNull()) {
            return KeyOverrides.NONE;
        }
        if (!node.isObject()) {
            throw bad("overrides", "overrides must be an object.");
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            String field = fields.next().getKey();
            if (!OVERRIDE_FIELDS.contains(field)) {
                throw bad("overrides." + field, "Unknown limit " + field + "; expected "
                        + String.join(", ", OVERRIDE_FIELDS.stream().sorted().toList()) + ".");
            }
        }
        Optional<Rate> rate = Optional.empty();
        JsonNode rateNode = node.get("rate");
        if (rateNode != null && !rateNode.isNull()) {
            try {
                rate = Optional.of(Rate.parse(rateNode.isTextual() ? rateNode.textValue() : ""));
            } catch (IllegalArgumentException e) {
                throw bad("overrides.rate", "overrides.rate must be N/s, N/m or N/h.");
            }
        }
        OptionalLong maxConcurrent = count(node, "max_concurrent");
        if (maxConcurrent.isPresent() && maxConcurrent.getAsLong() > Plan.MAX_CONCURRENT) {
            throw bad("overrides.max_concurrent", "overrides.max_concurrent must be a whole number from 1 to "
                    + Plan.MAX_CONCURRENT + ".");
        }
        return new KeyOverrides(rate, count(node, "burst"), count(node, "tpm"), maxConcurrent, count(node, "daily_requests"),
                count(node, "daily_tokens"), count(node, "monthly_requests"), count(node, "monthly_tokens"));
    }

    private static OptionalLong count(JsonNode overrides, String field) {
        JsonNode value = overrides.get(field);
        if (value == null || value.isNull()) {
            return OptionalLong.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 1 || value.longValue() > 1_000_000_000_000L) {
            throw bad("overrides." + field, "overrides." + field + " must be a whole number from 1 to 10^12.");
        }
        return OptionalLong.of(value.longValue());
    }

    private static GatewayException bad(String param, String message) {
        return GatewayException.invalidRequest(400, message, param, "invalid_value");
    }
}
