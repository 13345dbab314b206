package dev.sluice.api;

import dev.sluice.openai.ObjectPaths;
import dev.sluice.owners.ObjectOwners;
import dev.sluice.owners.Owner;
import dev.sluice.upstream.UpstreamReply;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Records the owner of each response {@code POST /v1/responses} stores (the default, {@code "store": true}),
 * so that its later calls ({@code GET}, {@code DELETE}, {@code cancel}, {@code input_items},
 * {@code previous_response_id}) go to the upstream that holds it, for its caller only. A whole reply is
 * held until the record is stored, so that the caller cannot ask for the response before any instance
 * knows it; a stream is not held: its id comes in the first event ({@code response.created}) and is
 * recorded while the rest flows.
 *
 * <p>The id is the first {@code "id":"resp_...}" of the reply: the response's own, which OpenAI writes
 * first in the response object (its output items' ids have other prefixes).
 */
final class CreatedResponses {

    private static final Logger LOG = Logger.getLogger("dev.sluice.owners");
    private static final byte[] MARKER = "\"id\":\"resp_".getBytes(StandardCharsets.US_ASCII);
    /** The first event of a stream is a few KB (the response object, echoing the request's settings). */
    private static final int MAX_SEARCHED_BYTES = 64 << 10;
    private static final int MAX_ID_CHARS = 256;

    private final ObjectOwners owners;
    private final Optional<java.time.Duration> retention = ObjectPaths.placeOf("/v1/responses") instanceof ObjectPaths.Root root
            ? root.collection().retention() : Optional.empty();

    CreatedResponses(ObjectOwners owners) {
        this.owners = owners;
    }

    Uni<UpstreamReply> recorded(UpstreamReply reply, Owner owner) {
        if (reply.status() < 200 || reply.status() >= 300) {
            return Uni.createFrom().item(reply);
        }
        if (!reply.isStream()) {
            Optional<String> id = idIn(reply.body());
            if (id.isEmpty()) {
                return Uni.createFrom().item(reply);
            }
            return Uni.createFrom().completionStage(owners.record(List.of(id.get()), owner, retention)).replaceWith(reply)
                    .onFailure().recoverWithItem(failure -> {
                        // the reply stands; its response cannot be reached through Sluice later (404), the safe side
                        LOG.warnf("Could not record the owner of response %s in the %s store (%s)", id.get(), owners.name(),
                                failure.getMessage());
                        return reply;
                    });
        }
        return Uni.createFrom().item(reply.withStream(watched(reply.stream(), owner)));
    }

    private Multi<Buffer> watched(Multi<Buffer> stream, Owner owner) {
        return Multi.createFrom().deferred(() -> {
            Buffer seen = Buffer.buffer();
            boolean[] done = {false};
            return stream.invoke(chunk -> {
                if (done[0]) {
                    return;
                }
                seen.appendBuffer(chunk);
                Optional<String> id = idIn(seen);
                if (id.isPresent() || seen.length() > MAX_SEARCHED_BYTES) {
                    done[0] = true;
                    id.ifPresent(found -> owners.record(List.of(found), owner, retention).whenComplete((ignored, failure) -> {
                        if (failure != null) {
                            LOG.warnf("Could not record the owner of response %s in the %s store (%s)", found, owners.name(),
                                    failure.getMessage());
                        }
                    }));
                }
            });
        });
    }

    /** The first response id in {@code bytes}, when its closing quote is there too. */
    static Optional<String> idIn(Buffer bytes) {
        int length = Math.min(bytes.length(), MAX_SEARCHED_BYTES);
        outer:
        for (int i = 0; i + MARKER.length <= length; i++) {
            for (int k = 0; k < MARKER.length; k++) {
                if (bytes.getByte(i + k) != MARKER[k]) {
                    continue outer;
                }
            }
            int start = i + MARKER.length - "resp_".length();
            for (int end = i + MARKER.length; end < length && end - start <= MAX_ID_CHARS; end++) {
                byte b = bytes.getByte(end);
                if (b == '"') {
                    return end - start > "resp_".length() ? Optional.of(bytes.getString(start, end, "US-ASCII")) : Optional.empty();
                }
                if (b == '\\' || b < 0x20) {
                    return Optional.empty(); // not an id OpenAI writes
                }
            }
            return Optional.empty();
        }
        return Optional.empty();
    }
}
