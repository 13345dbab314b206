package dev.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.Plan;
import dev.sluice.metrics.SluiceMetrics;
import dev.sluice.openai.Operation;
import dev.sluice.upstream.Upstream;
import dev.sluice.upstream.UpstreamPool;
import dev.sluice.upstream.UpstreamReply;
import dev.sluice.upstream.UpstreamRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

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
@Singleton
public class ModelLists {

    private final Callers callers;
    private final UpstreamPool upstreams;
    private final SluiceMetrics metrics;
    private final ObjectReader json;

    @Inject
    public ModelLists(Callers callers, UpstreamPool upstreams, SluiceMetrics metrics, ObjectMapper mapper) {
        this.callers = callers;
        this.upstreams = upstreams;
        this.metrics = metrics;
        this.json = ProxiedRequest.strictReader(mapper);
    }

    /**
     * {@code GET /v1/models}: for any authenticated caller, outside the request limits, asked of every
     * upstream the caller may use at once, and answered with the union of their lists.
     */
    public Uni<UpstreamReply> reply(MultiMap headers) {
        RequestLog log = new RequestLog("GET", Operation.MODELS.publicPath()).measured(metrics, Operation.MODELS);
        return Uni.createFrom().deferred(() -> {
            CallerIdentity caller = callers.identify(CallerHeaders.authorization(headers));
            log.caller(caller);
            log.admitted(0);
            List<Upstream> open = upstreams.forPlan(caller.plan());
            if (open.isEmpty()) { // no upstream is the caller's plan's: no model is this caller's
                UpstreamReply none = UpstreamReply.whole(200, Map.of("content-type", List.of("application/json")),
                        Buffer.buffer("{\"object\":\"list\",\"data\":[]}"));
                // answered on the next turn of the event loop: written during the resource method
                // itself, the reply would come before RESTEasy is ready for it
                Context context = Vertx.currentContext();
                return context == null ? Uni.createFrom().item(none)
                        : Uni.createFrom().emitter(emitter -> context.runOnContext(ignored -> emitter.complete(none)));
            }
            log.upstream(open.size() == 1 ? open.get(0).name() : "all");
            UpstreamRequest call = new UpstreamRequest(Operation.MODELS, null, false, CallerHeaders.upstreamHeaders(caller, headers), caller.id());
            List<Uni<Answer>> answers = open.stream().map(upstream -> upstream.sendOnce(call)
                    .map(reply -> new Answer(upstream, Optional.of(reply), Optional.empty()))
                    .onFailure().recoverWithItem(failure -> new Answer(upstream, Optional.empty(), Optional.of(failure))))
                    .toList();
            return Uni.join().all(answers).andFailFast()
                    .flatMap(all -> union(all, caller.plan(), json));
        }).map(log::follow).onFailure().invoke(log::failed);
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
