package dev.sluice.api;

import dev.sluice.openai.Operation.Paths;
import dev.sluice.openai.Operation;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

/**
 * The OpenAI-compatible surface. Each method hands the raw body to {@link RequestRelay} and writes
 * the upstream's status, headers and body back as they are ({@link ReplyWriter}).
 *
 * <p>The reply is written straight to the Vert.x response rather than returned as an entity: a
 * relay must not re-frame bytes (Quarkus would wrap a Multi as SSE events or a JSON array, and
 * negotiate the content type against Accept), and writing directly keeps a whole body's
 * Content-Length and costs far less per request than a RestMulti. Errors raised before the reply
 * still reach the exception mappers.
 */
@Path(Paths.VERSION)
public class OpenAiResource {

    @Inject
    RequestRelay relay;

    @Inject
    PassThrough passThrough;

    @Inject
    ModelLists modelLists;

    /** Any other path below /v1: JAX-RS prefers every literal path above to it. */
    private static final String OTHER = "{other: .+}";

    @POST
    @Path(Paths.CHAT_COMPLETIONS)
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Void> chatCompletions(HttpHeaders headers, byte[] body, HttpServerRequest request,
            HttpServerResponse response) {
        return ReplyWriter.write(relay.relay(Operation.CHAT_COMPLETIONS, headers, body, () -> peerOf(request)), response);
    }

    @POST
    @Path(Paths.COMPLETIONS)
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Void> completions(HttpHeaders headers, byte[] body, HttpServerRequest request,
            HttpServerResponse response) {
        return ReplyWriter.write(relay.relay(Operation.COMPLETIONS, headers, body, () -> peerOf(request)), response);
    }

    @POST
    @Path(Paths.EMBEDDINGS)
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Void> embeddings(HttpHeaders headers, byte[] body, HttpServerRequest request,
            HttpServerResponse response) {
        return ReplyWriter.write(relay.relay(Operation.EMBEDDINGS, headers, body, () -> peerOf(request)), response);
    }

    @POST
    @Path(Paths.RESPONSES)
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Void> responses(HttpHeaders headers, byte[] body, HttpServerRequest request,
            HttpServerResponse response) {
        return ReplyWriter.write(relay.relay(Operation.RESPONSES, headers, body, () -> peerOf(request)), response);
    }

    @POST
    @Path(Paths.MODERATIONS)
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Void> moderations(HttpHeaders headers, byte[] body, HttpServerRequest request,
            HttpServerResponse response) {
        return ReplyWriter.write(relay.relay(Operation.MODERATIONS, headers, body, () -> peerOf(request)), response);
    }

    /**
     * The connection's remote address; a per-IP limit may look further, through trusted proxies. Asked for only
     * when that limit is on: Vert.x formats the address anew each time.
     */
    private static String peerOf(HttpServerRequest request) {
        return request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    }

    @GET
    @Path(Paths.MODELS)
    public Uni<Void> models(HttpHeaders headers, HttpServerResponse response) {
        return ReplyWriter.write(modelLists.reply(headers), response);
    }

    // Every other /v1 endpoint (files, batches, audio, ...), relayed as it came (PassThrough). A JSON body is read
    // whole, to find the objects it refers to; any other (a multipart upload) streams through unread.

    /** The chat completions made with {@code "store": true}, listed: the caller's own only. */
    @GET
    @Path(Paths.CHAT_COMPLETIONS)
    public Uni<Void> storedChatCompletions(HttpHeaders headers, HttpServerRequest request, HttpServerResponse response) {
        return ReplyWriter.write(passThrough.relay(request, headers, null, () -> peerOf(request)), response);
    }

    @GET
    @Path(OTHER)
    public Uni<Void> get(HttpHeaders headers, HttpServerRequest request, HttpServerResponse response) {
        return ReplyWriter.write(passThrough.relay(request, headers, null, () -> peerOf(request)), response);
    }

    @DELETE
    @Path(OTHER)
    public Uni<Void> delete(HttpHeaders headers, HttpServerRequest request, HttpServerResponse response) {
        return ReplyWriter.write(passThrough.relay(request, headers, null, () -> peerOf(request)), response);
    }

    @POST
    @Path(OTHER)
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Void> postJson(HttpHeaders headers, byte[] body, HttpServerRequest request, HttpServerResponse response) {
        return ReplyWriter.write(passThrough.relay(request, headers, body, () -> peerOf(request)), response);
    }

    @POST
    @Path(OTHER)
    @Consumes(MediaType.WILDCARD)
    @StreamedBody
    public Uni<Void> postStreamed(HttpHeaders headers, HttpServerRequest request, HttpServerResponse response) {
        return ReplyWriter.write(passThrough.relay(request, headers, null, () -> peerOf(request)), response);
    }
}
