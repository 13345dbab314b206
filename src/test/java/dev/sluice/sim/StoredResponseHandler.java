package dev.sluice.sim;

import io.vertx.core.http.HttpServerRequest;

/**
 * The calls on a stored Response, each charged one request and no tokens, each a 404 in OpenAI's
 * error shape for an id it does not have (never created, not stored, deleted, or evicted):
 * <ul>
 *   <li>{@code GET /v1/responses/{id}}: the Response as it was created;</li>
 *   <li>{@code DELETE /v1/responses/{id}}: {@code {"id":..,"object":"response","deleted":true}};</li>
 *   <li>{@code POST /v1/responses/{id}/cancel}: "Only responses created with the background parameter set
 *       to true can be cancelled" (OpenAI's reference), so any other is a 400. The simulator finishes a
 *       background response before it answers, so cancelling one returns it as it is: "Cancelling twice
 *       is idempotent - subsequent calls simply return the final Response object" (OpenAI's background
 *       mode guide, https://developers.openai.com/docs/guides/background);</li>
 *   <li>{@code GET /v1/responses/{id}/input_items}: see {@link InputItems}.</li>
 * </ul>
 * Sources: https://platform.openai.com/docs/api-reference/responses (get, delete, cancel, input-items) as
 * OpenAI's OpenAPI description, github.com/openai/openai-openapi {@code openapi.yaml} (read at f85dbe2) describes them. The 404's and the refused cancel's wording are the simulator's own: the
 * reference does not give them.
 */
final class StoredResponseHandler {

    enum Action { GET, DELETE, CANCEL, INPUT_ITEMS }

    private final Gate gate;
    private final StoredResponses responses;

    StoredResponseHandler(Gate gate, StoredResponses responses) {
        this.gate = gate;
        this.responses = responses;
    }

    void handle(HttpServerRequest request, String id, Action action) {
        long arrivalNanos = gate.nowNanos();
        request.body().onSuccess(ignored -> judge(request, id, action, arrivalNanos));
    }

    private void judge(HttpServerRequest request, String id, Action action, long arrivalNanos) {
        Caller caller = gate.authenticate(request, arrivalNanos);
        if (caller == null) {
            return;
        }
        int limit = 20;
        String order = request.getParam("order", "desc");
        if (action == Action.INPUT_ITEMS) {
            try {
                limit = Integer.parseInt(request.getParam("limit", "20"));
            } catch (NumberFormatException e) {
                limit = 0;
            }
            if (limit < 1 || limit > 100) {
                gate.badRequest(request, caller, "Invalid 'limit': expected an integer from 1 to 100.", "limit", null,
                        arrivalNanos);
                return;
            }
            if (!order.equals("asc") && !order.equals("desc")) {
                gate.badRequest(request, caller, "Invalid 'order': expected 'asc' or 'desc'.", "order", null, arrivalNanos);
                return;
            }
        }
        int pageSize = limit;
        gate.admit(request, caller, answer -> reply(answer, id, action, pageSize, order.equals("asc")), arrivalNanos);
    }

    private void reply(Answer answer, String id, Action action, int limit, boolean ascending) {
        StoredResponses.Stored stored = action == Action.DELETE ? responses.remove(id) : responses.get(id);
        if (stored == null) {
            answer.notFound("Response with id '" + id + "' not found.", null);
            return;
        }
        switch (action) {
            case GET -> answer.json(200, stored.body());
            case DELETE -> answer.json(200, "{\"id\":" + ReplyBodies.quote(id) + ",\"object\":\"response\",\"deleted\":true}");
            case CANCEL -> {
                if (stored.background()) {
                    answer.json(200, stored.body());
                } else {
                    answer.json(400, ReplyBodies.error("Only responses created with background=true can be cancelled.",
                            "invalid_request_error", null, null));
                }
            }
            case INPUT_ITEMS -> answer.json(200, InputItems.page(id, stored.input(), limit, ascending,
                    answer.request().getParam("after")));
        }
    }
}
