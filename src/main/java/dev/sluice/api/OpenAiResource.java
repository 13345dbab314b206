package dev.sluice.api;

import dev.sluice.upstream.Operation;
import dev.sluice.upstream.UpstreamReply;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * The OpenAI-compatible surface. Each method hands the raw body to {@link RequestRelay} and relays
 * the upstream's status, headers and body, chunk by chunk.
 *
 * <p>No {@code @Produces}, on purpose: with one, Quarkus would re-frame the bytes (as SSE events or
 * a JSON array) and answer 406 to some Accept headers. Without it, the Content-Type is the
 * upstream's and the bytes are written as they arrive.
 */
@Path("/v1")
public class OpenAiResource {

    @Inject
    RequestRelay relay;

    @POST
    @Path("/chat/completions")
    @Consumes(MediaType.APPLICATION_JSON)
    public RestMulti<Buffer> chatCompletions(HttpHeaders headers, byte[] body) {
        return relayed(relay.relay(Operation.CHAT_COMPLETIONS, headers, body));
    }

    @POST
    @Path("/completions")
    @Consumes(MediaType.APPLICATION_JSON)
    public RestMulti<Buffer> completions(HttpHeaders headers, byte[] body) {
        return relayed(relay.relay(Operation.COMPLETIONS, headers, body));
    }

    @POST
    @Path("/embeddings")
    @Consumes(MediaType.APPLICATION_JSON)
    public RestMulti<Buffer> embeddings(HttpHeaders headers, byte[] body) {
        return relayed(relay.relay(Operation.EMBEDDINGS, headers, body));
    }

    @GET
    @Path("/models")
    public RestMulti<Buffer> models(HttpHeaders headers) {
        return relayed(relay.models(headers));
    }

    private static RestMulti<Buffer> relayed(Uni<UpstreamReply> reply) {
        return RestMulti.fromUniResponse(reply, UpstreamReply::body, UpstreamReply::headers, UpstreamReply::status);
    }
}
