package dev.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.metrics.SluiceMetrics;
import dev.sluice.openai.Operation;
import dev.sluice.tokens.TokenEstimate;
import dev.sluice.upstream.Upstream;
import dev.sluice.upstream.UpstreamHeaders;
import dev.sluice.upstream.UpstreamPool;
import dev.sluice.upstream.UpstreamRequest;
import io.smallrye.mutiny.Uni;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A plan's moderation pre-check ({@code SLUICE_*_MODERATION}): before a chat, completion or Responses request
 * is admitted, the text it sends the model ({@code RequestText}) goes to the upstream's
 * {@code POST /v1/moderations} ({@value Operation#DEFAULT_MODERATION_MODEL}), admitted on the upstream's own
 * limits (a request, and the text's tokens, from its buckets; none from the caller's, who asked once). A
 * flagged result is a 400 {@code content_policy_violation} naming the flagged categories, counted as the deny
 * rule {@value #RULE}. Fails closed: a moderation that cannot be had (refused by a limit, an upstream error)
 * refuses the request too, with a 503 that says so, for a plan that asks for moderation must not let
 * unmoderated text through. It costs one more upstream round trip before the request's own.
 */
final class ModerationCheck {

    static final String RULE = "moderation";

    private final AdmissionGate gate;
    private final UpstreamPool upstreams;
    private final ObjectMapper mapper;
    private final SluiceMetrics metrics;

    ModerationCheck(AdmissionGate gate, UpstreamPool upstreams, ObjectMapper mapper, SluiceMetrics metrics) {
        this.gate = gate;
        this.upstreams = upstreams;
        this.mapper = mapper;
        this.metrics = metrics;
    }

    static boolean applies(Operation operation) {
        return operation == Operation.CHAT_COMPLETIONS || operation == Operation.COMPLETIONS || operation == Operation.RESPONSES;
    }

    /** Completes when the texts pass; fails with the caller's answer when they do not, or cannot be checked. */
    Uni<Void> check(CallerIdentity caller, List<String> texts, UpstreamHeaders headers, RequestLog log) {
        if (texts.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        ObjectNode body = mapper.createObjectNode().put("model", Operation.DEFAULT_MODERATION_MODEL);
        ArrayNode input = body.putArray("input");
        texts.forEach(input::add);
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(body);
        } catch (IOException e) {
            return Uni.createFrom().failure(e);
        }
        long characters = texts.stream().mapToLong(String::length).sum();
        // what the provider's limiter charges on arrival: the input's characters ÷ 4, nothing generated
        TokenEstimate estimate = new TokenEstimate((characters + 3) / 4, (characters + 3) / 4, 0, 1);
        List<Upstream> candidates = upstreams.candidates(caller.plan(), Operation.DEFAULT_MODERATION_MODEL);
        if (candidates.isEmpty()) {
            candidates = upstreams.forPlan(caller.plan());
        }
        return gate.admitOnUpstream(caller, estimate, Operation.DEFAULT_MODERATION_MODEL, candidates)
                .onFailure(RateLimitedException.class).transform(refused -> unavailable("a limit refused it: " + refused.getMessage()))
                .flatMap(lease -> lease.upstream().sendOnce(new UpstreamRequest(Operation.MODERATIONS, bytes, false, headers, caller.id())))
                .onFailure(failure -> !(failure instanceof GatewayException)).transform(failure -> unavailable(failure.getMessage()))
                .map(reply -> {
                    if (reply.status() != 200) {
                        throw unavailable("the upstream answered " + reply.status());
                    }
                    List<String> flagged = flaggedCategories(reply.body().getBytes());
                    if (!flagged.isEmpty()) {
                        log.denied(RULE);
                        metrics.denied(RULE, caller.plan().name());
                        throw GatewayException.invalidRequest(400, "Your request was flagged by the moderation this gateway runs "
                                + "(" + String.join(", ", flagged) + ") and was not sent.", null, "content_policy_violation");
                    }
                    return null;
                });
    }

    /** The categories any result flags; a reply without results is no verdict. */
    private List<String> flaggedCategories(byte[] reply) {
        JsonNode results;
        try {
            results = mapper.readTree(reply).path("results");
        } catch (IOException e) {
            throw unavailable("its answer was not JSON");
        }
        if (!results.isArray() || results.isEmpty()) {
            throw unavailable("its answer held no results");
        }
        TreeSet<String> categories = new TreeSet<>();
        boolean flagged = false;
        for (JsonNode result : results) {
            if (result.path("flagged").asBoolean(false)) {
                flagged = true;
                for (Map.Entry<String, JsonNode> category : result.path("categories").properties()) {
                    if (category.getValue().asBoolean(false)) {
                        categories.add(category.getKey());
                    }
                }
            }
        }
        if (flagged && categories.isEmpty()) {
            categories.add("flagged");
        }
        return new ArrayList<>(categories);
    }

    private static GatewayException unavailable(String why) {
        return new GatewayException(503, "This gateway moderates requests of your plan before sending them, and could not "
                + "have this one moderated (" + why + "); it was not sent. Please try again shortly.",
                GatewayException.SERVER_ERROR, null, "moderation_unavailable", Map.of("retry-after", "1"));
    }
}
