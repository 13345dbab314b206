package dev.sluice.api;

import dev.sluice.openai.Operation.Paths;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;

/**
 * The OpenAI-compatible surface other than the model calls, which {@link MeteredRoutes} serves: the model list,
 * and every other /v1 endpoint (files, batches, audio, ...), relayed as it came ({@link PassThrough}). Each
 * method writes the upstream's status, headers and body back as they are ({@link ReplyWriter}).
 *
 * <p>The reply is written straight to the Vert.x response rather than returned as an entity: a
 * relay must not re-frame bytes (Quarkus would wrap a Multi as SSE events or a JSON array, and
 * negotiate the content type against Accept), and writing directly keeps a whole body's
 * Content-Length. Errors raised before the reply still reach the exception mappers.
 */
@Path(Paths.VERSION)
public class OpenAiResource {

    @Inject
    PassThrough passThrough;

    @Inject
    ModelLists modelLists;

    /** Any other path below /v1: JAX-RS prefers every literal path above to it. */
    private static final String OTHER = "{other: .+}";

    @GET
    @Path(Paths.MODELS)
    public Uni<Void> models(HttpServerRequest request, HttpServerResponse response) {
        return ReplyWriter.write(modelLists.reply(request.headers()), response);
    }

    // A JSON body is read whole, to find the objects it refers to; any other (a multipart upload) streams through unread.

    /** The chat completions made with {@code "store": true}, listed: the caller's own only. */
    @GET
    @Path(Paths.CHAT_COMPLETIONS)
    public Uni<Void> storedChatCompletions(HttpServerRequest request, HttpServerResponse response) {
        return ReplyWriter.write(passThrough.relay(request, null), response);
    }

    @GET
    @Path(OTHER)
    public Uni<Void> get(HttpServerRequest request, HttpServerResponse response) {
        return ReplyWriter.write(passThrough.relay(request, null), response);
    }

    @DELETE
    @Path(OTHER)
    public Uni<Void> delete(HttpServerRequest request, HttpServerResponse response) {
        return ReplyWriter.write(passThrough.relay(request, null), response);
    }

    @POST
    @Path(OTHER)
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Void> postJson(byte[] body, HttpServerRequest request, HttpServerResponse response) {
        return ReplyWriter.write(passThrough.relay(request, body), response);
    }

    @POST
    @Path(OTHER)
    @Consumes(MediaType.WILDCARD)
    @StreamedBody
    public Uni<Void> postStreamed(HttpServerRequest request, HttpServerResponse response) {
        return ReplyWriter.write(passThrough.relay(request, null), response);
    }
}
