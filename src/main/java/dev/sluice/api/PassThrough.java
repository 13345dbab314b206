package dev.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.admission.Ticket;
import dev.sluice.config.SluiceSettings;
import dev.sluice.openai.ObjectPaths;
import dev.sluice.owners.ObjectOwners;
import dev.sluice.owners.Owner;
import dev.sluice.tokens.TokenEstimate;
import dev.sluice.upstream.PassThroughRequest;
import dev.sluice.upstream.Upstream;
import dev.sluice.upstream.UpstreamPool;
import dev.sluice.upstream.UpstreamReply;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every other {@code /v1} call (files, uploads, batches, vector stores, audio, images, moderations...):
 * relayed as it came, one request on the caller's and the upstream's request buckets, never retried by
 * Sluice (the caller's SDK retries). A JSON body is read whole (at most {@code SLUICE_MAX_BODY}) to find
 * the objects it refers to; any other body (a multipart upload) streams through, counted against
 * {@code SLUICE_MAX_UPLOAD}; replies stream back, but those Sluice must look into (a created object, a
 * list) are read whole first.
 *
 * <p><b>Objects belong to who created them.</b> Each id a reply creates is recorded with its caller and
 * upstream ({@link ObjectOwners}, fleet-wide in Infinispan). A call on an object goes to that upstream,
 * and only for that caller; a body may refer only to the caller's own objects; a list shows only the
 * caller's. In managed mode (the company's key for everyone) an object Sluice has no record of is
 * nobody's, so unreachable; with callers' own keys the upstream keeps them apart itself, and an object
 * made outside Sluice is reachable on the caller's first upstream.
 */
@Singleton
public class PassThrough {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger("dev.sluice.owners");

    /** Largest reply read whole to record or filter objects (a list of 10,000 files is ~2 MB). */
    static final int MAX_INSPECTED_REPLY_BYTES = 16 << 20;

    private final SluiceSettings settings;
    private final Callers callers;
    private final AdmissionGate gate;
    private final UpstreamPool upstreams;
    private final ObjectOwners owners;
    private final ObjectMapper mapper;

    @Inject
    public PassThrough(SluiceSettings settings, Callers callers, AdmissionGate gate, UpstreamPool upstreams, ObjectOwners owners,
            ObjectMapper mapper) {
        this.settings = settings;
        this.callers = callers;
        this.gate = gate;
        this.upstreams = upstreams;
        this.owners = owners;
        this.mapper = mapper;
    }

    /**
     * @param jsonBody the body when it is JSON (read whole by the resource), else null: then the body, if
     *                 any, is still on the connection and streams through
     */
    public Uni<UpstreamReply> relay(HttpServerRequest request, byte[] jsonBody) {
        String path = request.path();
        MultiMap headers = request.headers();
        RequestLog log = new RequestLog(request.method().name(), path);
        return Uni.createFrom().deferred(() -> {
            CallerIdentity caller = callers.identify(CallerHeaders.authorization(headers));
            log.caller(caller);
            if (!caller.plan().allowsPath(path)) {
                throw ObjectPaths.isApiPath(path) ? notAllowed(path)
                        : new GatewayException(404, ErrorBody.unknownUrl(request.method().name(), path).error().message(),
                                GatewayException.INVALID_REQUEST, null, "unknown_url", Map.of());
            }
            List<Upstream> open = upstreams.forPlan(caller.plan());
            if (open.isEmpty()) {
                throw GatewayException.invalidRequest(404, "No upstream serves your plan.", null, "not_found");
            }
            JsonNode json = jsonBody == null ? null : parse(jsonBody);
            Set<String> referred = json == null ? Set.of() : ObjectReferences.in(json);
            ObjectPaths.Place place = ObjectPaths.placeOf(path);
            List<String> named = new ArrayList<>(referred);
            if (place instanceof ObjectPaths.Member member) {
                named.remove(member.id());
                named.add(0, member.id());
            }
            return ObjectAccess.upstreamsFor(owners, caller, named, open)
                    .flatMap(candidates -> gate.admit(caller, CallerHeaders.clientAddress(settings, request), TokenEstimate.NONE, "", candidates))
                    .flatMap(ticket -> send(request, headers, caller, jsonBody, ticket, place, open, log)
                            .onTermination().invoke(() -> gate.release(ticket)));
        }).onItem().invoke(reply -> {
            log.upstreamStatus(reply.status());
            log.finish(reply.status(), null);
        }).onFailure().invoke(failure -> log.finish(ErrorMappers.statusOf(failure), null));
    }

    static GatewayException notAllowed(String path) {
        return GatewayException.invalidRequest(403, "Your plan does not allow " + path + " through this gateway.", null,
                "path_not_allowed");
    }

    private JsonNode parse(byte[] body) {
        try {
            return body.length == 0 ? mapper.nullNode() : mapper.readTree(body);
        } catch (IOException e) {
            throw GatewayException.invalidRequest(400, "We could not parse the JSON body of your request. The API "
                    + "expects a JSON payload; check that the body is valid JSON.", null, "invalid_json");
        }
    }

    private Uni<UpstreamReply> send(HttpServerRequest request, MultiMap headers, CallerIdentity caller, byte[] jsonBody,
            Ticket ticket, ObjectPaths.Place place, List<Upstream> open, RequestLog log) {
        log.admitted(ticket.waitedNanos());
        Upstream upstream = ticket.lease().upstream();
        HttpMethod method = request.method();
        PassThroughRequest call = call(request, headers, caller, jsonBody);
        if (method == HttpMethod.GET && place instanceof ObjectPaths.Root root && root.collection().listable()) {
            // each upstream holds its own objects: a list is asked of every one open to the caller
            log.upstream(open.size() == 1 ? open.get(0).name() : "all");
            return listed(call, caller, open);
        }
        log.upstream(upstream.name());
        return upstream.relay(call).flatMap(reply -> {
            if (reply.status() < 200 || reply.status() >= 300) {
                return Uni.createFrom().item(reply);
            }
            if (place instanceof ObjectPaths.Member member && method == HttpMethod.DELETE) {
                return ObjectAccess.lookedUp(owners.forget(member.id())).replaceWith(reply);
            }
            // a creation, or an object that reports others (a batch's output_file_id, an upload's file)
            boolean inspect = place instanceof ObjectPaths.Root && method == HttpMethod.POST || place instanceof ObjectPaths.Member;
            if (!inspect || !isJson(reply)) {
                return Uni.createFrom().item(reply);
            }
            ObjectPaths.Collection collection = place instanceof ObjectPaths.Root root ? root.collection()
                    : ((ObjectPaths.Member) place).collection();
            return inspected(reply).flatMap(json -> record(json.body(), caller, upstream, collection)
                    .replaceWith(UpstreamReply.whole(reply.status(), reply.headers(), json.bytes())));
        });
    }

    /**
     * A list, asked of each upstream, with only the caller's objects on it where the upstream cannot tell
     * callers apart (managed mode). One upstream's page keeps its cursors; pages of several are joined,
     * {@code has_more} if any has more, without {@code first_id}/{@code last_id}, which belong to one upstream.
     */
    private Uni<UpstreamReply> listed(PassThroughRequest call, CallerIdentity caller, List<Upstream> open) {
        List<Uni<Page>> pages = open.stream().map(upstream -> upstream.relay(call).flatMap(reply -> reply.status() >= 200
                && reply.status() < 300 && isJson(reply) ? inspected(reply).map(json -> new Page(upstream, reply, json.body()))
                : Uni.createFrom().item(new Page(upstream, reply, Optional.empty())))).toList();
        return Uni.join().all(pages).andFailFast().flatMap(answers -> {
            for (Page page : answers) {
                if (page.json().isEmpty() || !page.json().get().path("data").isArray()) {
                    return Uni.createFrom().item(page.reply()); // an error, or not a list: as it came
                }
            }
            Set<String> ids = new java.util.LinkedHashSet<>();
            answers.forEach(page -> page.json().get().path("data").forEach(item -> ids.add(item.path("id").asText(""))));
            return ObjectAccess.lookedUp(owners.findAll(ids)).map(found -> joined(answers, found, caller));
        });
    }

    private record Page(Upstream upstream, UpstreamReply reply, Optional<JsonNode> json) {
    }

    private UpstreamReply joined(List<Page> pages, Map<String, Owner> found, CallerIdentity caller) {
        ObjectNode list = pages.size() == 1 ? (ObjectNode) pages.get(0).json().get().deepCopy() : mapper.createObjectNode().put("object", "list");
        ArrayNode data = list.putArray("data");
        boolean hasMore = false;
        for (Page page : pages) {
            JsonNode json = page.json().get();
            hasMore |= json.path("has_more").asBoolean(false);
            for (JsonNode item : json.path("data")) {
                Owner owner = found.get(item.path("id").asText(""));
                boolean mine = owner != null && owner.callerId().equals(caller.id()) && owner.upstream().equals(page.upstream().name());
                if (mine || owner == null && !page.upstream().managed()) {
                    data.add(item);
                }
            }
        }
        list.put("has_more", hasMore);
        return UpstreamReply.whole(200, pages.get(0).reply().headers(), Buffer.buffer(list.toString()));
    }

    /** The call to make: the caller's headers worth relaying, its query, and its body, whole or still streaming. */
    private PassThroughRequest call(HttpServerRequest request, MultiMap headers, CallerIdentity caller, byte[] jsonBody) {
        String uri = request.uri();
        String relative = uri.substring(dev.sluice.openai.Operation.Paths.VERSION.length()); // the base URL ends in /v1
        Map<String, String> content = new HashMap<>();
        for (String name : List.of("Content-Type", "Accept")) {
            String value = request.getHeader(name);
            if (value != null) {
                content.put(name, value);
            }
        }
        PassThroughRequest.Body body;
        if (jsonBody != null) {
            body = new PassThroughRequest.Whole(Buffer.buffer(jsonBody));
        } else if (request.isEnded() || !hasBody(request)) {
            body = new PassThroughRequest.None();
        } else {
            String length = request.getHeader("Content-Length");
            if (length != null) {
                content.put("Content-Length", length);
            }
            body = new PassThroughRequest.Streamed(new CountedStream(request, settings.maxUploadBytes()));
        }
        return new PassThroughRequest(request.method(), relative, CallerHeaders.upstreamHeaders(caller, headers), content, body, caller.id());
    }

    private static boolean hasBody(HttpServerRequest request) {
        String length = request.getHeader("Content-Length");
        return length != null ? !length.trim().equals("0") : request.getHeader("Transfer-Encoding") != null;
    }

    static boolean isJson(UpstreamReply reply) {
        List<String> type = reply.headers().get("content-type");
        return type != null && !type.isEmpty() && type.get(0).toLowerCase(Locale.ROOT).startsWith("application/json");
    }

    /** A reply read whole: its bytes as they came, and parsed when they are a JSON object. */
    private record Inspected(Buffer bytes, Optional<JsonNode> body) {
    }

    private Uni<Inspected> inspected(UpstreamReply reply) {
        Uni<Buffer> whole = reply.isStream()
                ? reply.stream().collect().in(Buffer::buffer, (all, chunk) -> {
                    if (all.length() + chunk.length() > MAX_INSPECTED_REPLY_BYTES) {
                        throw new GatewayException(502, "The upstream's reply is too large for this gateway to check whose "
                                + "objects it holds.", GatewayException.SERVER_ERROR, null, "reply_too_large", Map.of());
                    }
                    all.appendBuffer(chunk);
                })
                : Uni.createFrom().item(reply.body());
        return whole.map(bytes -> {
            try {
                JsonNode json = mapper.readTree(bytes.getBytes());
                return new Inspected(bytes, json != null && json.isObject() ? Optional.of(json) : Optional.empty());
            } catch (IOException notJson) {
                return new Inspected(bytes, Optional.empty());
            }
        });
    }

    /** The ids a reply reports, recorded as the caller's on this upstream, before the caller can use them. */
    private Uni<Void> record(Optional<JsonNode> json, CallerIdentity caller, Upstream upstream, ObjectPaths.Collection collection) {
        if (json.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Set<String> ids = ObjectReferences.reportedBy(json.get());
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // Not recorded, the object is unreachable through Sluice (404 later), the safe side; the reply still
        // stands: a 503 now would have the caller create it again, and the first would be left upstream for good.
        return Uni.createFrom().completionStage(owners.record(ids, new Owner(caller.id(), upstream.name()), collection.retention()))
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("Could not record the owner of %s in the %s store (%s)", ids, owners.name(), failure.getMessage());
                    return null;
                });
    }
}
