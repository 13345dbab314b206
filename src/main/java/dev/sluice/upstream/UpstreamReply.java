package dev.sluice.upstream;

import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;

import java.util.List;
import java.util.Map;

/**
 * The upstream's answer, to relay as it is.
 *
 * @param status  the upstream's HTTP status
 * @param headers the upstream headers worth passing back (see {@link RelayedHeaders})
 * @param body    the body, chunk by chunk as it arrives; one chunk for a non-streamed reply
 */
public record UpstreamReply(int status, Map<String, List<String>> headers, Multi<Buffer> body) {
}
