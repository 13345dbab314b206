package dev.sluice.usage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Makes a streamed request ask for its usage ({@code "stream_options":{"include_usage":true}}): a
 * stream reports the tokens it spent only in that extra last chunk, and the token limit must settle
 * with the real count.
 *
 * <p>The caller's bytes are kept whenever possible, as everywhere in Sluice: OpenAI adds fields often,
 * and a round trip must not drop or reformat what it does not know. Only a body whose
 * {@code stream_options} object lacks {@code include_usage: true} is re-serialized (through the tree,
 * which keeps every field and their order, but may reformat numbers and whitespace).
 */
public final class StreamOptions {

    private static final byte[] FIELD = "\"stream_options\":{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII);

    private final ObjectMapper mapper;

    public StreamOptions(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /**
     * The body to send for a streamed request.
     *
     * @param body the request exactly as the caller sent it: one JSON object, optionally followed by
     *             whitespace (what {@code ProxiedRequest.parse} accepts)
     * @param root {@code body} parsed
     * @return the body unchanged when the caller already asked for usage, or when its
     *         {@code stream_options} is malformed (the upstream answers that with a 400, as it would
     *         without Sluice); otherwise the body asking for usage, with {@code usageChunkAdded} set
     */
    public UsageRequestedBody requestUsage(byte[] body, JsonNode root) {
        if (!root.isObject()) {
            throw new IllegalArgumentException("a request body is a JSON object, got " + root.getNodeType());
        }
        JsonNode options = root.get("stream_options");
        if (options == null) {
            return new UsageRequestedBody(withFieldInserted(body, !root.isEmpty()), true);
        }
        if (options.isNull()) {
            // null means "no options"; a second "stream_options" key would be a duplicate, so rewrite
            return new UsageRequestedBody(rewritten(root), true);
        }
        if (!options.isObject()) {
            return new UsageRequestedBody(body, false);
        }
        JsonNode includeUsage = options.get("include_usage");
        if (includeUsage != null && includeUsage.isBoolean() && includeUsage.booleanValue()) {
            return new UsageRequestedBody(body, false); // the caller wants the chunk: it stays
        }
        if (includeUsage != null && !includeUsage.isBoolean() && !includeUsage.isNull()) {
            return new UsageRequestedBody(body, false); // malformed: not Sluice's to fix
        }
        return new UsageRequestedBody(rewritten(root), true);
    }

    /** Inserts the field before the top-level object's closing brace; every other byte stays. */
    private static byte[] withFieldInserted(byte[] body, boolean hasFields) {
        int brace = body.length - 1;
        while (brace >= 0 && isJsonWhitespace(body[brace])) {
            brace--;
        }
        if (brace < 0 || body[brace] != '}') {
            throw new IllegalArgumentException("the body does not end with the '}' of a JSON object");
        }
        int comma = hasFields ? 1 : 0;
        byte[] result = new byte[body.length + comma + FIELD.length];
        System.arraycopy(body, 0, result, 0, brace);
        if (hasFields) {
            result[brace] = ',';
        }
        System.arraycopy(FIELD, 0, result, brace + comma, FIELD.length);
        System.arraycopy(body, brace, result, brace + comma + FIELD.length, body.length - brace);
        return result;
    }

    private static boolean isJsonWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    private byte[] rewritten(JsonNode root) {
        ObjectNode copy = ((ObjectNode) root).deepCopy();
        JsonNode options = copy.get("stream_options");
        ObjectNode writable = options != null && options.isObject() ? (ObjectNode) options : copy.putObject("stream_options");
        writable.put("include_usage", true);
        try {
            return mapper.writeValueAsBytes(copy);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written back", e); // a tree always can
        }
    }
}
