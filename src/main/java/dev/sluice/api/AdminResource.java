package dev.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.Plan;
import dev.sluice.config.SluiceSettings;
import dev.sluice.config.UpstreamSettings;
import dev.sluice.keys.KeyAdmin;
import dev.sluice.keys.KeyRecord;
import dev.sluice.keys.KeyRecordCodec;
import dev.sluice.keys.KeyRegistry;
import dev.sluice.limit.TimeSource;
import dev.sluice.upstream.Upstream;
import dev.sluice.upstream.UpstreamPool;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The admin API, on the same port as the OpenAI API (Knative and Lambda expose one), present only when
 * {@code SLUICE_ADMIN_TOKEN} is set (404 otherwise) and only to that token, compared in constant time;
 * a caller key does not work here. Every change is one audit line naming the key's id, never a secret.
 */
@Path("/admin/v1")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    private static final Logger AUDIT = Logger.getLogger("dev.sluice.audit");
    private static final int DEFAULT_PAGE = 20;
    private static final int MAX_PAGE = 100;

    private final SluiceSettings settings;
    private final KeyAdmin admin;
    private final ObjectMapper mapper;
    private final ObjectReader json;
    private final TimeSource clock;
    private final AdminToken token;
    private final UsageViews usage;
    private final UpstreamPool pool;

    @Inject
    public AdminResource(SluiceSettings settings, AdminToken token, KeyRegistry registry, ObjectMapper mapper, TimeSource clock,
            UsageViews usage, UpstreamPool pool) {
        this.usage = usage;
        this.pool = pool;
        this.settings = settings;
        this.clock = clock;
        this.admin = new KeyAdmin(registry, new SecureRandom(), this::now);
        this.mapper = mapper;
        this.json = ProxiedRequest.strictReader(mapper);
        this.token = token;
    }

    private Instant now() {
        return Instant.ofEpochSecond(0, clock.nowNanos());
    }

    private void authorize(HttpHeaders headers) {
        authorize(token, headers);
    }

    /** 404 when the admin API is off, 401 unless the admin token is presented. */
    static void authorize(AdminToken token, HttpHeaders headers) {
        if (!token.on()) {
            throw new NotFoundException();
        }
        if (!token.admits(headers.getHeaderString(HttpHeaders.AUTHORIZATION))) {
            throw unauthorized();
        }
    }

    static GatewayException unauthorized() {
        return GatewayException.invalidRequest(401, "The admin API needs the admin token: Authorization: Bearer $SLUICE_ADMIN_TOKEN.",
                null, "invalid_admin_token");
    }

    private Set<String> planNames() {
        return settings.plans().keySet();
    }

    @POST
    @Path("/keys")
    public Uni<RestResponse<JsonNode>> create(HttpHeaders headers, byte[] body) {
        authorize(headers);
        AdminRequests.Create create = AdminRequests.create(body, json, planNames(), now());
        return stored(admin.create(create.name(), create.plan(), create.overrides(), create.expiresAt()))
                .map(issued -> {
                    audit("create", issued.record());
                    ObjectNode view = view(issued.record());
                    view.put("key", issued.secret());
                    return RestResponse.status(RestResponse.Status.CREATED, view);
                });
    }

    @GET
    @Path("/keys")
    public Uni<JsonNode> list(HttpHeaders headers, @QueryParam("limit") @DefaultValue("20") String limit,
            @QueryParam("after") String after) {
        authorize(headers);
        int size = pageSize(limit);
        return stored(admin.list()).map(records -> {
            int from = 0;
            if (after != null) {
                from = records.stream().map(KeyRecord::id).toList().indexOf(after) + 1;
                if (from == 0) {
                    throw GatewayException.invalidRequest(400, "No key has the id " + after + ".", "after", "invalid_value");
                }
            }
            List<KeyRecord> page = records.subList(from, Math.min(records.size(), from + size));
            ObjectNode list = mapper.createObjectNode().put("object", "list");
            ArrayNode data = list.putArray("data");
            page.forEach(record -> data.add(view(record)));
            list.put("first_id", page.isEmpty() ? null : page.get(0).id());
            list.put("last_id", page.isEmpty() ? null : page.get(page.size() - 1).id());
            list.put("has_more", from + size < records.size());
            return list;
        });
    }

    private static int pageSize(String limit) {
        try {
            int size = Integer.parseInt(limit);
            if (size >= 1 && size <= MAX_PAGE) {
                return size;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw GatewayException.invalidRequest(400, "limit must be a whole number from 1 to " + MAX_PAGE + " (default "
                + DEFAULT_PAGE + ").", "limit", "invalid_value");
    }

    @GET
    @Path("/keys/{id}")
    public Uni<JsonNode> get(HttpHeaders headers, @PathParam("id") String id) {
        authorize(headers);
        return stored(admin.get(id)).map(found -> view(found.orElseThrow(() -> noSuchKey(id))));
    }

    @PATCH
    @Path("/keys/{id}")
    public Uni<JsonNode> update(HttpHeaders headers, @PathParam("id") String id, byte[] body) {
        authorize(headers);
        var change = AdminRequests.patch(body, json, planNames(), now());
        return stored(admin.update(id, change)).map(updated -> {
            KeyRecord record = updated.orElseThrow(() -> noSuchKey(id));
            audit("update", record);
            return view(record);
        });
    }

    @POST
    @Path("/keys/{id}/rotate")
    public Uni<JsonNode> rotate(HttpHeaders headers, @PathParam("id") String id, byte[] body) {
        authorize(headers);
        var grace = AdminRequests.grace(body, json);
        return stored(admin.rotate(id, grace)).map(rotated -> {
            KeyAdmin.Issued issued = rotated.orElseThrow(() -> noSuchKey(id));
            audit("rotate (old secret valid for " + grace + ")", issued.record());
            ObjectNode view = view(issued.record());
            view.put("key", issued.secret());
            return (JsonNode) view;
        });
    }

    @DELETE
    @Path("/keys/{id}")
    public Uni<JsonNode> revoke(HttpHeaders headers, @PathParam("id") String id) {
        authorize(headers);
        return stored(admin.revoke(id)).map(removed -> {
            if (!removed) {
                throw noSuchKey(id);
            }
            AUDIT.infof("key %s: revoke", id);
            return (JsonNode) mapper.createObjectNode().put("id", id).put("object", "key").put("deleted", true);
        });
    }

    /**
     * The usage ledger: one row per period, key and upstream ({@code Accept: text/csv} for CSV).
     *
     * @param key         one key's id; every key Sluice knows when absent
     * @param upstream    one upstream; all when absent
     * @param from        first day, YYYY-MM-DD in the usage zone; today when absent
     * @param to          last day, included; today when absent
     * @param granularity {@code day} (the default) or {@code hour}
     */
    @GET
    @Path("/usage")
    @Produces({MediaType.APPLICATION_JSON, "text/csv"})
    public Uni<RestResponse<String>> usage(HttpHeaders headers, @QueryParam("key") String key, @QueryParam("upstream") String upstream,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("granularity") String granularity) {
        authorize(headers);
        return usage.usage(headers, key, upstream, from, to, granularity);
    }

    /** Each upstream as this instance sees it now: its breaker, its paused models, what its shared buckets had left. */
    @GET
    @Path("/upstreams")
    public JsonNode upstreams(HttpHeaders headers) {
        authorize(headers);
        long now = clock.nowNanos();
        ObjectNode list = mapper.createObjectNode().put("object", "list");
        ArrayNode data = list.putArray("data");
        for (Upstream upstream : pool.all()) {
            UpstreamSettings configured = upstream.settings();
            ObjectNode node = data.addObject().put("name", upstream.name()).put("object", "upstream")
                    .put("url", UpstreamSettings.withoutUserInfo(configured.url()))
                    .put("breaker", upstream.breakerState())
                    .put("requests_share_left", upstream.outlook().requestsShareLeft())
                    .put("tokens_share_left", upstream.outlook().tokensShareLeft());
            configured.requests().ifPresent(requests -> node.put("requests_rate", requests.refillRate().toString()));
            configured.tokens().ifPresent(tokens -> node.put("tokens_rate", tokens.refillRate().toString()));
            ObjectNode cooling = node.putObject("cooling_seconds");
            upstream.outlook().coolingModels(now).forEach((model, nanos) -> cooling.put(model, Math.ceil(nanos / 1e9)));
        }
        return list;
    }

    @GET
    @Path("/plans")
    public JsonNode plans(HttpHeaders headers) {
        authorize(headers);
        ObjectNode list = mapper.createObjectNode().put("object", "list");
        ArrayNode data = list.putArray("data");
        settings.plans().values().stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(plan -> data.add(view(plan)));
        return list;
    }

    /** A store call's answer; a store that cannot be reached is a 503, as for requests. */
    static <T> Uni<T> stored(CompletionStage<T> call) {
        return Uni.createFrom().completionStage(call).onFailure(failure -> !(failure instanceof GatewayException)).transform(failure ->
                new GatewayException(503, "The key store cannot be reached; try again shortly.", GatewayException.SERVER_ERROR, null,
                        "store_unavailable", Map.of("retry-after", "1")));
    }

    private static GatewayException noSuchKey(String id) {
        return GatewayException.invalidRequest(404, "No key has the id " + id + ".", "id", "key_not_found");
    }

    private static void audit(String action, KeyRecord record) {
        AUDIT.infof("key %s: %s (name=\"%s\", plan=%s%s%s)", record.id(), action, record.name(), record.plan(),
                record.disabled() ? ", disabled" : "", record.expiresAt().map(at -> ", expires " + at).orElse(""));
    }

    private ObjectNode view(KeyRecord record) {
        ObjectNode node = mapper.createObjectNode();
        node.put("id", record.id());
        node.put("object", "key");
        node.put("name", record.name());
        node.put("plan", record.plan());
        node.set("overrides", KeyRecordCodec.encode(record.overrides()));
        node.put("expires_at", record.expiresAt().map(Instant::toString).orElse(null));
        node.put("disabled", record.disabled());
        node.put("created_at", record.createdAt().toString());
        node.put("rotated_at", record.rotatedAt().map(Instant::toString).orElse(null));
        node.put("previous_key_valid_until", record.previousSecret().map(previous -> previous.validUntil().toString()).orElse(null));
        return node;
    }

    private ObjectNode view(Plan plan) {
        ObjectNode node = mapper.createObjectNode();
        node.put("name", plan.name());
        node.put("object", "plan");
        node.put("rate", plan.requests().refillRate().toString());
        node.put("burst", plan.requests().capacity());
        plan.tokens().ifPresent(tokens -> node.put("tpm", tokens.capacity()));
        plan.concurrency().ifPresent(concurrency -> node.put("max_concurrent", concurrency.maxInFlight()));
        plan.quotas().forEach(quota -> node.put(quota.quota().period().name().toLowerCase(Locale.ROOT).replace("day", "daily")
                .replace("month", "monthly") + (quota.countsTokens() ? "_tokens" : "_requests"), quota.quota().limit()));
        ArrayNode models = node.putArray("models");
        plan.models().forEach(models::add);
        ArrayNode upstreams = node.putArray("upstreams");
        plan.upstreams().forEach(upstreams::add);
        return node;
    }
}
