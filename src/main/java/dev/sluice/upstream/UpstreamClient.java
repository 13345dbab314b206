package dev.sluice.upstream;

import dev.sluice.openai.Operation.Paths;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The upstream's OpenAI-compatible API, through the Quarkus REST Client. Bodies are bytes in both
 * directions: Sluice relays them, it does not interpret them. Built per upstream by
 * {@link UpstreamCaller}, with the default exception mapper off, so that an upstream 4xx/5xx
 * arrives as a {@link Response} to relay rather than as an exception.
 */
@Path("")
@Consumes(MediaType.APPLICATION_JSON)
public interface UpstreamClient {

    @POST
    @Path(Paths.CHAT_COMPLETIONS)
    Uni<Response> chatCompletions(@BeanParam UpstreamHeaders headers, byte[] body);

    @POST
    @Path(Paths.COMPLETIONS)
    Uni<Response> completions(@BeanParam UpstreamHeaders headers, byte[] body);

    @POST
    @Path(Paths.EMBEDDINGS)
    Uni<Response> embeddings(@BeanParam UpstreamHeaders headers, byte[] body);

    @POST
    @Path(Paths.RESPONSES)
    Uni<Response> responses(@BeanParam UpstreamHeaders headers, byte[] body);

    @POST
    @Path(Paths.MODERATIONS)
    Uni<Response> moderations(@BeanParam UpstreamHeaders headers, byte[] body);

    @GET
    @Path(Paths.MODELS)
    Uni<Response> models(@BeanParam UpstreamHeaders headers);
}
