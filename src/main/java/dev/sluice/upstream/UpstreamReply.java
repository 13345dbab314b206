package dev.sluice.upstream;

import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The upstream's answer, to relay as it is: either a whole body, or a stream of chunks.
 *
 * @param status  the upstream's HTTP status
 * @param headers the upstream headers worth passing back (see {@link RelayedHeaders})
 * @param body    the whole body of a non-streamed reply; {@code null} for a stream
 * @param stream  the chunks of a streamed reply as they arrive; {@code null} for a whole body
 */
public record UpstreamReply(int status, Map<String, List<String>> headers, Buffer body, Multi<Buffer> stream) {

    public UpstreamReply {
        Objects.requireNonNull(headers, "headers");
        if ((body == null) == (stream == null)) {
            throw new IllegalArgumentException("a reply has either a whole body or a stream");
        }
    }

    public static UpstreamReply whole(int status, Map<String, List<String>> headers, Buffer body) {
        return new UpstreamReply(status, headers, body, null);
    }

    public static UpstreamReply streamed(int status, Map<String, List<String>> headers, Multi<Buffer> stream) {
        return new UpstreamReply(status, headers, null, stream);
    }

    public boolean isStream() {
        return stream != null;
    }

    /** The same reply with one more header (a name in lower case, as the relayed ones are), e.g. Sluice's own marks. */
    public UpstreamReply withHeader(String name, String value) {
        Map<String, List<String>> marked = new java.util.LinkedHashMap<>(headers);
        marked.put(name, new java.util.ArrayList<>(List.of(value)));
        return new UpstreamReply(status, marked, body, stream);
    }

    /** The same reply with its stream replaced, e.g. to watch it end. */
    public UpstreamReply withStream(Multi<Buffer> replacement) {
        return streamed(status, headers, replacement);
    }
}
