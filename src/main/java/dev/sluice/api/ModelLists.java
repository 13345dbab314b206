package dev.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.Plan;
import dev.sluice.upstream.Upstream;
import dev.sluice.upstream.UpstreamReply;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /v1/models} across a pool: the union of what each upstream open to the caller lists,
 * each upstream's list kept to the models it is configured to serve ({@code _MODELS}), all of it kept
 * to the models the caller's plan allows, each model once (the first upstream's entry, in pool order).
 * A client is offered exactly the models a request of its own could be routed for (issue 18).
 */
final class ModelLists {

    private ModelLists() {
    }

    /**
     * What one upstream answered, or why it did not.
     *
     * @param reply   its reply; empty when the call failed
     * @param failure why it failed; empty when it answered
     */
    record Answer(Upstream upstream, Optional<UpstreamReply> reply, Optional<Throwable> failure) {
    }

    /**
     * The union of the answers that are model lists; when none is (every upstream failed or answered an
     * error), the first answer as it came, or the first failure, so the caller hears why.
     *
     * @param answers in pool order, at least one
     */
    static Uni<UpstreamReply> union(List<Answer> answers, Plan plan, ObjectReader json) {
        ArrayNode union = JsonNodeFactory.instance.arrayNode();
        Set<String> listed = new HashSet<>();
        Map<String, List<String>> headers = null;
        for (Answer answer : answers) {
            Optional<ArrayNode> data = answer.reply().flatMap(reply -> modelsOf(reply, json));
            if (data.isEmpty()) {
                continue;
            }
            if (headers == null) {
                headers = new LinkedHashMap<>(answer.reply().get().headers());
                headers.keySet().removeIf(name -> name.equalsIgnoreCase("content-length"));
            }
            for (JsonNode model : data.get()) {
                String id = model.path("id").asText("");
                if (!id.isEmpty() && answer.upstream().settings().serves(id) && plan.allowsModel(id) && listed.add(id)) {
                    union.add(model);
                }
            }
        }
        if (headers == null) {
            Answer first = answers.get(0);
            return first.reply().map(reply -> Uni.createFrom().item(reply))
                    .orElseGet(() -> Uni.createFrom().failure(first.failure().orElseThrow()));
        }
        ObjectNode list = JsonNodeFactory.instance.objectNode().put("object", "list");
        list.set("data", union);
        return Uni.createFrom().item(UpstreamReply.whole(200, headers, Buffer.buffer(list.toString())));
    }

    /** The {@code data} of a 200 model list; empty for anything else. */
    private static Optional<ArrayNode> modelsOf(UpstreamReply reply, ObjectReader json) {
        if (reply.isStream() || reply.status() != 200 || reply.body() == null) {
            return Optional.empty();
        }
        try {
            return json.readTree(reply.body().getBytes()).get("data") instanceof ArrayNode data ? Optional.of(data) : Optional.empty();
        } catch (IOException notJson) {
            return Optional.empty();
        }
    }
}
