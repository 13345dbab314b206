package dev.sluice.sim;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * Every path the simulator serves: the two API endpoints, and {@code GET /stats} and
 * {@code POST /stats/reset} (no auth) for the harness that reads what got through. Anything else
 * is OpenAI's JSON 404.
 */
final class SimulatorRoutes implements Handler<HttpServerRequest> {

    private final SimulatorState state;
    private final ApiHandler api;

    SimulatorRoutes(SimulatorState state, ApiHandler api) {
        this.state = state;
        this.api = api;
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
        } else {
            request.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(ReplyBodies.error("Invalid URL (" + method.name() + " " + path + ")", "invalid_request_error",
                            null, null));
        }
    }
}
