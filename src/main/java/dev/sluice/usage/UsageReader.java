package dev.sluice.usage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Finds the upstream's {@code usage} object in a reply body (chat completions, completions,
 * embeddings, responses) or in one streamed event, with Jackson's streaming parser: only the top level
 * is walked and everything else is skipped, so a large body (embeddings of a long batch) costs no tree.
 * The Responses API names its counts {@code input_tokens} and {@code output_tokens}, and its stream
 * reports them in the {@code response} its last event carries ({@code response.completed},
 * {@code response.incomplete}, {@code response.failed}), one level down.
 *
 * <p>Never throws on what the upstream sent: a relay must not fail because a body is odd, so garbage,
 * a missing or {@code null} usage, or counts that are not non-negative integers all read as "no usage".
 */
public final class UsageReader {

    /** Thread-safe once configured; parsers are cheap to create from it. */
    private static final JsonFactory JSON = new JsonFactory();

    private UsageReader() {
    }

    /** The usage of a whole reply body, or empty when there is none to read. */
    public static Optional<TokenUsage> fromBody(Buffer body) {
        if (body == null || body.length() == 0) {
            return Optional.empty();
        }
        // Read through a view of the buffer rather than getBytes(): that would copy the whole body.
        try (JsonParser parser = JSON.createParser(new BufferInputStream(body))) {
            return Optional.ofNullable(readTopLevel(parser, false).usage());
        } catch (IOException | RuntimeException garbage) { // RuntimeException: e.g. a count out of range
            return Optional.empty();
        }
    }

    /** What one streamed event says: its usage (or null), and whether its {@code choices} is an empty array. */
    record EventUsage(TokenUsage usage, boolean choicesEmpty) {
        static final EventUsage NONE = new EventUsage(null, false);
    }

    static EventUsage readEvent(byte[] json, int offset, int length) {
        try (JsonParser parser = JSON.createParser(json, offset, length)) {
            return readTopLevel(parser, true);
        } catch (IOException | RuntimeException garbage) {
            return EventUsage.NONE;
        }
    }

    /**
     * A cheap filter before parsing an event: true when the bytes contain {@code "usage"}, a colon and
     * an opening brace (whitespace allowed between). Most chunks carry {@code "usage":null} or no
     * usage at all; they are skipped without a parser. A false positive only costs a parse.
     */
    static boolean mayHoldUsageObject(byte[] json, int offset, int length) {
        int end = offset + length;
        for (int i = offset; i + 7 <= end; i++) {
            if (json[i] == '"' && json[i + 1] == 'u' && json[i + 2] == 's' && json[i + 3] == 'a'
                    && json[i + 4] == 'g' && json[i + 5] == 'e' && json[i + 6] == '"') {
                int next = skipWhitespace(json, i + 7, end);
                if (next < end && json[next] == ':') {
                    next = skipWhitespace(json, next + 1, end);
                    if (next < end && json[next] == '{') {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static int skipWhitespace(byte[] json, int from, int end) {
        int i = from;
        while (i < end && (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r')) {
            i++;
        }
        return i;
    }

    /**
     * Walks the fields of the top-level object. A whole body stops at the first readable usage;
     * an event also needs {@code choices}, which OpenAI sends before {@code usage}.
     */
    private static EventUsage readTopLevel(JsonParser parser, boolean wantChoices) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return EventUsage.NONE;
        }
        return readFields(parser, wantChoices);
    }

    /** The parser is on an object's start; walks its fields as {@link #readTopLevel} says. */
    private static EventUsage readFields(JsonParser parser, boolean wantChoices) throws IOException {
        TokenUsage usage = null;
        boolean choicesSeen = !wantChoices;
        boolean choicesEmpty = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (usage == null && value == JsonToken.START_OBJECT && "usage".equals(name)) {
                usage = readUsage(parser);
            } else if (usage == null && wantChoices && value == JsonToken.START_OBJECT && "response".equals(name)) {
                // a Responses event: the usage of the response it carries, if any; such an event has no
                // choices, so it is never a chat usage chunk to strip
                TokenUsage inner = readFields(parser, false).usage();
                if (inner != null) {
                    return new EventUsage(inner, false);
                }
            } else if (wantChoices && !choicesSeen && value == JsonToken.START_ARRAY && "choices".equals(name)) {
                choicesSeen = true;
                choicesEmpty = parser.nextToken() == JsonToken.END_ARRAY;
                if (!choicesEmpty) {
                    skipRestOfArray(parser);
                }
            } else {
                parser.skipChildren();
            }
            if (usage != null && choicesSeen) {
                break;
            }
        }
        return new EventUsage(usage, choicesEmpty);
    }

    /** The parser is on the first element of an array; leaves it on the array's end. */
    private static void skipRestOfArray(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        while (token != JsonToken.END_ARRAY) {
            if (token == null) {
                throw new IOException("the JSON ends inside an array");
            }
            parser.skipChildren();
            token = parser.nextToken();
        }
    }

    /** The parser is on the usage object's start; leaves it on its end. Null when the counts are unusable. */
    private static TokenUsage readUsage(JsonParser parser) throws IOException {
        long prompt = -1;
        long completion = -1;
        long total = -1;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (name) {
                case "prompt_tokens", "input_tokens" -> prompt = count(parser, value);
                case "completion_tokens", "output_tokens" -> completion = count(parser, value);
                case "total_tokens" -> total = count(parser, value);
                default -> parser.skipChildren(); // *_tokens_details and whatever comes next
            }
        }
        if (prompt < 0) {
            return null; // every OpenAI endpoint reports prompt_tokens; without it there is nothing to settle
        }
        if (completion < 0) {
            // Embeddings report prompt_tokens and total_tokens only: they generate nothing.
            completion = total >= prompt ? total - prompt : 0;
        }
        return new TokenUsage(prompt, completion);
    }

    /** An integer count, or -1 for anything else (skipped). */
    private static long count(JsonParser parser, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NUMBER_INT) {
            return Math.max(-1, parser.getLongValue()); // beyond a long throws: the whole usage is garbage
        }
        parser.skipChildren();
        return -1;
    }

    /** Lets the parser pull a Vert.x buffer in its own small reads, without copying the whole buffer first. */
    private static final class BufferInputStream extends InputStream {

        private final Buffer buffer;
        private int position;

        BufferInputStream(Buffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public int read() {
            return position < buffer.length() ? buffer.getByte(position++) & 0xff : -1;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            int available = buffer.length() - position;
            if (available <= 0) {
                return -1;
            }
            int count = Math.min(length, available);
            buffer.getBytes(position, position + count, target, offset);
            position += count;
            return count;
        }
    }
}
