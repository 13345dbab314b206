package dev.sluice.sim;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * The metered endpoints ({@link Api}): parse the body (a 400 names the parameter), then let the
 * {@link Gate} charge it and answer it with the reply of its endpoint.
 */
final class ApiHandler {

    private final Vertx vertx;
    private final SimulatorConfig config;
    private final Gate gate;
    private final StoredResponses responses;
    private final ReplyBodies bodies;

    ApiHandler(Vertx vertx, SimulatorConfig config, Gate gate, StoredResponses responses) {
        this.vertx = vertx;
        this.config = config;
        this.gate = gate;
        this.responses = responses;
        this.bodies = new ReplyBodies(config.completionTokens());
    }

    void handle(HttpServerRequest request, Api endpoint) {
        long arrivalNanos = gate.nowNanos();
        request.body().onSuccess(body -> judge(request, endpoint, body, arrivalNanos));
    }

    private void judge(HttpServerRequest request, Api endpoint, Buffer body, long arrivalNanos) {
        Caller caller = gate.authenticate(request, arrivalNanos);
        if (caller == null) {
            return;
        }
        ApiRequest api;
        try {
            api = ApiRequest.parse(endpoint, body.getBytes(), config.defaultMaxTokens());
        } catch (ApiRequest.BadRequest e) {
            gate.badRequest(request, caller, e.getMessage(), e.param, e.code, arrivalNanos);
            return;
        }
        int tokensPerChoice = (int) Math.min(config.completionTokens(), api.maxTokens());
        gate.admit(request, caller, new Metered(api, tokensPerChoice), arrivalNanos);
    }

    /** A metered call: charged its input's estimate and its most output; it reports the usage it had. */
    private final class Metered implements Call {
        private final ApiRequest api;
        private final int tokensPerChoice;

        Metered(ApiRequest api, int tokensPerChoice) {
            this.api = api;
            this.tokensPerChoice = tokensPerChoice;
        }

        @Override
        public long tokenCost() {
            return api.tokenCost();
        }

        @Override
        public boolean stream() {
            return api.stream();
        }

        @Override
        public long promptTokens() {
            return api.promptTokens();
        }

        @Override
        public long completionTokens() {
            return api.api() == Api.EMBEDDINGS ? 0 : (long) tokensPerChoice * api.choices();
        }

        @Override
        public long usedTokens() {
            return api.usedTokens(tokensPerChoice);
        }

        @Override
        public void reply(Answer answer) {
            String quotedModel = ReplyBodies.quote(api.model());
            long createdSeconds = System.currentTimeMillis() / 1000;
            switch (api.api()) {
                case EMBEDDINGS -> answer.json(200, ReplyBodies.embeddings(quotedModel, api.choices(), api.promptTokens()));
                case CHAT -> chat(answer, quotedModel, createdSeconds);
                case RESPONSES -> response(answer, quotedModel, createdSeconds);
            }
        }

        private void response(Answer answer, String quotedModel, long createdSeconds) {
            ResponseDraft draft = new ResponseDraft("resp_sim" + answer.serial(), "msg_sim" + answer.serial(),
                    createdSeconds, quotedModel, api.responses(), bodies.replyText(tokensPerChoice), api.promptTokens(),
                    tokensPerChoice, api.maxTokens() < config.completionTokens());
            String finished = draft.finished();
            if (api.responses().store() && !answer.abort()) {
                // kept as it will end, while a stream is still on its way: GET never sees it in progress
                responses.put(draft.id(), new StoredResponses.Stored(finished, api.responses().input(),
                        api.responses().background()));
            }
            if (api.stream()) {
                EventStream.send(vertx, answer, ResponseStream.writes(config.chunks(), draft, answer.abort()),
                        config.chunkIntervalMillis());
            } else {
                answer.json(200, finished);
            }
        }

        private void chat(Answer answer, String quotedModel, long createdSeconds) {
            String finishReason = api.maxTokens() < config.completionTokens() ? "length" : "stop";
            String id = "chatcmpl-sim" + answer.serial();
            if (api.stream()) {
                EventStream.send(vertx, answer, ChatStream.events(config.chunks(), id, createdSeconds, quotedModel, api,
                        tokensPerChoice, finishReason, answer.abort()), config.chunkIntervalMillis());
            } else {
                answer.json(200, bodies.completion(id, createdSeconds, quotedModel, api.choices(), tokensPerChoice,
                        finishReason, api.promptTokens()));
            }
        }
    }
}
