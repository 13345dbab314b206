package dev.sluice.sim;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * Every path the simulator serves: the metered endpoints (chat completions, embeddings, responses),
 * the calls on a stored response, and {@code GET /stats} and {@code POST /stats/reset} (no auth) for
 * the harness that reads what got through. Anything else is OpenAI's JSON 404.
 */
final class SimulatorRoutes implements Handler<HttpServerRequest> {

    private final SimulatorState state;
    private final ApiHandler api;
    private final StoredResponseHandler storedResponses;

    SimulatorRoutes(SimulatorState state, ApiHandler api, StoredResponseHandler storedResponses) {
        this.state = state;
        this.api = api;
        this.storedResponses = storedResponses;
    }

    @Override
    public void handle(HttpServerRequest request) {
        String path = request.path();
        HttpMethod method = request.method();
        if (method == HttpMethod.POST && path.equals("/v1/chat/completions")) {
            api.handle(request, Api.CHAT);
        } else if (method == HttpMethod.POST && path.equals("/v1/embeddings")) {
            api.handle(request, Api.EMBEDDINGS);
        } else if (method == HttpMethod.POST && path.equals("/v1/responses")) {
            api.handle(request, Api.RESPONSES);
        } else if (method == HttpMethod.GET && path.equals("/stats")) {
            request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(state.statsJson());
        } else if (method == HttpMethod.POST && path.equals("/stats/reset")) {
            state.reset();
            request.response().setStatusCode(204).end();
        } else if (!routeResource(request, method, path)) {
            request.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(ReplyBodies.error("Invalid URL (" + method.name() + " " + path + ")", "invalid_request_error",
                            null, null));
        }
    }

    /** The paths with an id in them; false when none matches. */
    private boolean routeResource(HttpServerRequest request, HttpMethod method, String path) {
        if (!path.startsWith("/v1/")) {
            return false;
        }
        String[] segments = path.substring(4).split("/", -1);
        if (segments.length < 2 || segments[1].isEmpty() || !segments[0].equals("responses")) {
            return false;
        }
        String id = segments[1];
        String tail = segments.length == 2 ? "" : segments.length == 3 ? segments[2] : null;
        StoredResponseHandler.Action action;
        if (tail == null) {
            return false;
        } else if (tail.isEmpty() && method == HttpMethod.GET) {
            action = StoredResponseHandler.Action.GET;
        } else if (tail.isEmpty() && method == HttpMethod.DELETE) {
            action = StoredResponseHandler.Action.DELETE;
        } else if (tail.equals("cancel") && method == HttpMethod.POST) {
            action = StoredResponseHandler.Action.CANCEL;
        } else if (tail.equals("input_items") && method == HttpMethod.GET) {
            action = StoredResponseHandler.Action.INPUT_ITEMS;
        } else {
            return false;
        }
        storedResponses.handle(request, id, action);
        return true;
    }
}
