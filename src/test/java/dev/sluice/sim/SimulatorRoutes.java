package dev.sluice.sim;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * Every path the simulator serves: the metered endpoints (chat completions, embeddings, responses),
 * the calls on a stored response, files, moderations and speech, and {@code GET /stats} and
 * {@code POST /stats/reset} (no auth) for the harness that reads what got through. Anything else is
 * OpenAI's JSON 404.
 */
final class SimulatorRoutes implements Handler<HttpServerRequest> {

    /** The handlers of every API path. */
    record Handlers(ApiHandler api, StoredResponseHandler storedResponses, FileHandler files,
                    ModerationHandler moderations, SpeechHandler speech) {
    }

    private final SimulatorState state;
    private final Handlers handlers;

    SimulatorRoutes(SimulatorState state, Handlers handlers) {
        this.state = state;
        this.handlers = handlers;
    }

    @Override
    public void handle(HttpServerRequest request) {
        String path = request.path();
        HttpMethod method = request.method();
        if (method == HttpMethod.POST && path.equals("/v1/chat/completions")) {
            handlers.api().handle(request, Api.CHAT);
        } else if (method == HttpMethod.POST && path.equals("/v1/embeddings")) {
            handlers.api().handle(request, Api.EMBEDDINGS);
        } else if (method == HttpMethod.POST && path.equals("/v1/responses")) {
            handlers.api().handle(request, Api.RESPONSES);
        } else if (method == HttpMethod.POST && path.equals("/v1/moderations")) {
            handlers.moderations().handle(request);
        } else if (method == HttpMethod.POST && path.equals("/v1/audio/speech")) {
            handlers.speech().handle(request);
        } else if (method == HttpMethod.POST && path.equals("/v1/files")) {
            handlers.files().upload(request);
        } else if (method == HttpMethod.GET && path.equals("/v1/files")) {
            handlers.files().list(request);
        } else if (method == HttpMethod.GET && path.equals("/stats")) {
            request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(state.statsJson());
        } else if (method == HttpMethod.POST && path.equals("/stats/reset")) {
            state.reset();
            request.response().setStatusCode(204).end();
        } else if (!routeById(request, method, path)) {
            request.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(ReplyBodies.error("Invalid URL (" + method.name() + " " + path + ")", "invalid_request_error",
                            null, null));
        }
    }

    /** {@code /v1/responses/{id}[/cancel|/input_items]} and {@code /v1/files/{id}[/content]}; false for any other. */
    private boolean routeById(HttpServerRequest request, HttpMethod method, String path) {
        String[] segments = path.startsWith("/v1/") ? path.substring(4).split("/", -1) : new String[0];
        if (segments.length < 2 || segments.length > 3 || segments[1].isEmpty()) {
            return false;
        }
        String collection = segments[0];
        String id = segments[1];
        String action = segments.length == 3 ? segments[2] : "";
        if (collection.equals("responses")) {
            StoredResponseHandler.Action call = switch (method.name() + " " + action) {
                case "GET " -> StoredResponseHandler.Action.GET;
                case "DELETE " -> StoredResponseHandler.Action.DELETE;
                case "POST cancel" -> StoredResponseHandler.Action.CANCEL;
                case "GET input_items" -> StoredResponseHandler.Action.INPUT_ITEMS;
                default -> null;
            };
            if (call != null) {
                handlers.storedResponses().handle(request, id, call);
            }
            return call != null;
        }
        if (collection.equals("files")) {
            switch (method.name() + " " + action) {
                case "GET " -> handlers.files().retrieve(request, id);
                case "DELETE " -> handlers.files().delete(request, id);
                case "GET content" -> handlers.files().content(request, id);
                default -> {
                    return false;
                }
            }
            return true;
        }
        return false;
    }
}
