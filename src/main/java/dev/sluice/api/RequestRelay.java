package dev.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.sluice.admission.Lease;
import dev.sluice.admission.Ticket;
import dev.sluice.config.SluiceSettings;
import dev.sluice.metrics.SluiceMetrics;
import dev.sluice.net.ClientAddress;
import dev.sluice.config.Plan;
import dev.sluice.content.DenyRule;
import dev.sluice.content.DenyRules;
import dev.sluice.content.RequestText;
import dev.sluice.openai.Operation;
import dev.sluice.owners.ObjectOwners;
import dev.sluice.owners.Owner;
import dev.sluice.replies.ReplyCache;
import dev.sluice.tokens.TokenEstimate;
import dev.sluice.tokens.TokenEstimator;
import dev.sluice.upstream.ResilientUpstream;
import dev.sluice.upstream.Throttle;
import dev.sluice.upstream.RetryAdvice;
import dev.sluice.upstream.Upstream;
import dev.sluice.upstream.UpstreamFailure;
import dev.sluice.upstream.UpstreamHeaders;
import dev.sluice.upstream.UpstreamPool;
import dev.sluice.upstream.UpstreamReply;
import dev.sluice.upstream.UpstreamRequest;
import dev.sluice.usage.AttemptCost;
import dev.sluice.usage.StreamOptions;
import dev.sluice.usage.StreamUsageTap;
import dev.sluice.usage.TokenUsage;
import dev.sluice.usage.UsageReader;
import dev.sluice.usage.UsageRequestedBody;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The request path behind the resource: identify the caller, check the body, admit, call the
 * upstream, and log the outcome once the reply (or stream) is over.
 */
@ApplicationScoped
public class RequestRelay {

    private static final org.jboss.logging.Logger CONTENT_LOG = org.jboss.logging.Logger.getLogger("dev.sluice.content");
    /** Identical requests in flight on this instance, for the plans that coalesce them. */
    private final Coalescer coalescer = new Coalescer();
    /** The deny rules already reported as too slow to decide. */
    private final Set<String> undecidedRules = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final SluiceSettings settings;
    private final Callers callers;
    private final AdmissionGate gate;
    private final UpstreamPool upstreams;
    private final ResilientUpstream resilient;
    private final UsageCounters usage;
    private final ObjectReader jsonReader;
    private final TokenEstimator estimator;
    private final StreamOptions streamOptions;
    private final SluiceMetrics metrics;
    private final ObjectOwners owners;
    private final CreatedResponses createdResponses;
    private final CachedReplies cachedReplies;
    private final ModerationCheck moderation;

    @Inject
    public RequestRelay(SluiceSettings settings, Callers callers, AdmissionGate gate, UpstreamPool upstreams, ResilientUpstream resilient,
            UsageCounters usage, ObjectMapper mapper, SluiceMetrics metrics, ObjectOwners owners, ReplyCache replyCache) {
        this.metrics = metrics;
        this.cachedReplies = new CachedReplies(replyCache, usage, metrics);
        this.moderation = new ModerationCheck(gate, upstreams, mapper, metrics);
        this.owners = owners;
        this.createdResponses = new CreatedResponses(owners);
        this.settings = settings;
        this.callers = callers;
        this.gate = gate;
        this.upstreams = upstreams;
        this.resilient = resilient;
        this.usage = usage;
        this.jsonReader = ProxiedRequest.strictReader(mapper);
        // The encodings load once, and only when a limit counts tokens.
        this.estimator = settings.countsTokens() ? new TokenEstimator() : null;
        this.streamOptions = new StreamOptions(mapper);
    }

    /**
     * A call with a JSON body, admitted against every limit that applies.
     *
     * @param peer the connection's remote address
     */
    public Uni<UpstreamReply> relay(Operation operation, HttpHeaders headers, byte[] body, String peer) {
        RequestLog log = new RequestLog("POST", operation.publicPath()).measured(metrics, operation);
        return Uni.createFrom().deferred(() -> {
            CallerIdentity caller = callers.identify(headers.getHeaderString(HttpHeaders.AUTHORIZATION));
            log.caller(caller);
            if (!caller.plan().allowsPath(operation.publicPath())) {
                throw PassThrough.notAllowed(operation.publicPath());
            }
            ProxiedRequest request = ProxiedRequest.parse(operation, body, jsonReader);
            log.request(request.model(), request.stream());
            Plan.Guards guards = caller.plan().guards();
            refuseDeniedText(guards.denyRules(), request, caller, log);
            TokenEstimate estimate = TokenEstimate.NONE;
            UsageRequestedBody sent = new UsageRequestedBody(request.body(), false);
            if (estimator != null) {
                estimate = estimator.estimate(operation, request.json(), settings.defaultMaxTokens());
                if (guards.maxPromptTokens().isPresent() && estimate.promptTokens() > guards.maxPromptTokens().getAsLong()) {
                    throw GatewayException.invalidRequest(400, "The prompt holds " + estimate.promptTokens() + " tokens, more than "
                            + "the " + guards.maxPromptTokens().getAsLong() + " your plan allows a request. Please shorten it.", null,
                            "prompt_tokens_above_limit");
                }
                if (request.stream() && operation != Operation.RESPONSES) {
                    // the real usage of a chat or completions stream comes in its last chunk, only when asked
                    // for; a Responses stream always ends with it (response.completed), and refuses the option
                    sent = requestUsage(request);
                }
            }
            UpstreamRequest call = new UpstreamRequest(operation, sent.body(), request.stream(),
                    upstreamHeaders(caller, headers), caller.id());
            boolean stripUsageChunk = sent.usageChunkAdded();
            String model = request.model();
            List<Upstream> serving = upstreams.candidates(caller.plan(), model);
            if (serving.isEmpty() || !caller.plan().allowsModel(model)) {
                throw GatewayException.invalidRequest(404, "The model `" + model + "` does not exist or you do not "
                        + "have access to it.", "model", "model_not_found");
            }
            boolean recordsResponse = operation == Operation.RESPONSES && request.json().path("store").asBoolean(true);
            TokenEstimate estimated = estimate;
            // a previous_response_id, a conversation or a file the body names must be the caller's, and the
            // request goes where they are
            Supplier<Uni<UpstreamReply>> upstreamCall = () -> ObjectAccess.upstreamsFor(owners, caller,
                            List.copyOf(ObjectReferences.in(request.json())), serving)
                    .flatMap(candidates -> gate.admit(caller, clientAddress(peer, headers), estimated, model,
                            guards.duplicates().map(counted -> digest(operation, body)), candidates)).flatMap(ticket -> {
                log.admitted(ticket.waitedNanos());
                AtomicReference<Lease> lease = new AtomicReference<>(ticket.lease());
                return resilient.send(call, ticket.lease().upstream(), new ResilientUpstream.Pacing() {
                            @Override
                            public Uni<Upstream> admitRetry(Set<String> failed, AttemptCost lastCost, long maxWaitNanos) {
                                return gate.admitRetry(ticket, lease.get(), failed, lastCost, model, maxWaitNanos)
                                        .map(next -> {
                                            lease.set(next);
                                            return next.upstream();
                                        });
                            }

                            @Override
                            public boolean anotherAvailable(Set<String> failed) {
                                return gate.anotherAvailable(ticket, failed, model);
                            }

                            @Override
                            public boolean anotherCandidate(Set<String> failed) {
                                return gate.anotherCandidate(ticket, failed);
                            }

                            @Override
                            public void throttled(Upstream upstream, Throttle throttle, Map<String, List<String>> replyHeaders) {
                                gate.throttled(lease.get(), model, throttle, replyHeaders);
                            }

                            @Override
                            public Uni<Void> beforeSend() {
                                return gate.onTime(lease.get()).invoke(lease::set).replaceWithVoid();
                            }
                        })
                        .map(reply -> {
                            log.upstream(lease.get().upstream().name());
                            return releasedWhenDone(settledWhenDone(reply, operation, model, ticket, lease.get(), stripUsageChunk), ticket);
                        })
                        .flatMap(reply -> recordsResponse ? createdResponses.recorded(reply, new Owner(caller.id(),
                                lease.get().upstream().name())) : Uni.createFrom().item(reply))
                        .onFailure().invoke(failure -> {
                            log.upstream(lease.get().upstream().name());
                            settleFailure(ticket, lease.get(), failure);
                            gate.release(ticket);
                        })
                        .onCancellation().invoke(() -> gate.release(ticket));
            });
            // a moderated request is checked before it is admitted; a reply kept for it was checked when it was made
            Supplier<Uni<UpstreamReply>> checked = !guards.moderation() || !ModerationCheck.applies(operation) ? upstreamCall
                    : () -> moderation.check(caller, RequestText.of(request.json()), upstreamHeaders(caller, headers), log)
                            .flatMap(passed -> upstreamCall.get());
            boolean cached = guards.cacheTtl().isPresent() && CachedReplies.cacheable(operation, request);
            boolean coalesced = !request.stream() && guards.coalesce();
            if (!cached && !coalesced) {
                return checked.get();
            }
            // one and the same request of one caller: the key of its shared call and of its kept reply
            String requestKey = caller.id() + ":" + digest(operation, body);
            Supplier<Uni<UpstreamReply>> shared = checked;
            if (coalesced) {
                shared = () -> {
                    Coalescer.Joined joined = coalescer.join(requestKey, checked);
                    if (!joined.leader()) {
                        log.coalesced();
                        metrics.coalesced(operation, caller.plan().name());
                    }
                    return joined.reply();
                };
            }
            if (!cached) {
                return shared.get();
            }
            return cachedReplies.reply(operation, requestKey, caller.id(), guards.cacheTtl().get(), CachedReplies.bypassed(headers),
                    shared, log::cached);
        }).map(reply -> logged(reply, log)).onFailure().invoke(failure -> logFailure(failure, log));
    }

    /**
     * Refuses, before any bucket, a request whose text a deny rule of the caller's plan matches (or could not
     * decide on within its bounds), with OpenAI's {@code content_policy_violation}; logged and counted by the
     * rule's name, never by the text.
     */
    private void refuseDeniedText(DenyRules rules, ProxiedRequest request, CallerIdentity caller, RequestLog log) {
        if (rules.isEmpty()) {
            return;
        }
        DenyRules.Verdict verdict = rules.check(RequestText.of(request.json()));
        DenyRule rule;
        if (verdict instanceof DenyRules.Denied denied) {
            rule = denied.rule();
        } else if (verdict instanceof DenyRules.Undecided undecided) {
            rule = undecided.rule();
            if (undecidedRules.add(caller.plan().name() + "/" + rule.name())) { // once per rule: a line per request would flood
                CONTENT_LOG.warnf("Deny rule %s of plan %s needed too many steps on a request and refused it: its pattern "
                        + "backtracks; make it linear (no nested quantifiers such as (a+)+)", rule.name(), caller.plan().name());
            }
        } else {
            return;
        }
        log.denied(rule.name());
        metrics.denied(rule.name(), caller.plan().name());
        throw GatewayException.invalidRequest(400, "Your request was rejected by this gateway's content rules (rule "
                + rule.name() + ").", null, "content_policy_violation");
    }

    /** The request's path and body, hashed: one and the same request for the duplicate rate. */
    static String digest(Operation operation, byte[] body) {
        try {
            java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
            sha256.update(operation.publicPath().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            sha256.update((byte) 0);
            sha256.update(body);
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(sha256.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * Gives the request's slot among its caller's requests in flight back when the upstream's work is
     * over: at once for a whole reply, when the stream ends, breaks off or its caller goes away.
     */
    private UpstreamReply releasedWhenDone(UpstreamReply reply, Ticket ticket) {
        if (ticket.slot().isEmpty()) {
            return reply;
        }
        if (!reply.isStream()) {
            gate.release(ticket);
            return reply;
        }
        return reply.withStream(reply.stream().onTermination().invoke(() -> gate.release(ticket)));
    }

    /**
     * The body asking for the stream's usage chunk. A validated body always ends with its object's
     * closing brace; should one not, it goes as it came, and the stream keeps its reservation.
     */
    private UsageRequestedBody requestUsage(ProxiedRequest request) {
        try {
            return streamOptions.requestUsage(request.body(), request.json());
        } catch (IllegalArgumentException unexpectedShape) {
            return new UsageRequestedBody(request.body(), false);
        }
    }

    /**
     * Settles the ticket by what the reply cost: at once for a whole body, when the stream ends for a
     * stream. An error reply used nothing; a stream that ended without its usage (cut short, the caller
     * gone) cost an unknown amount, which keeps the reservations. A reply served with capacity to spare
     * may end a pause of the model early.
     */
    private UpstreamReply settledWhenDone(UpstreamReply reply, Operation operation, String model, Ticket ticket, Lease lease,
            boolean stripUsageChunk) {
        gate.learn(lease, reply.headers());
        boolean accepted = reply.status() >= 200 && reply.status() < 300;
        if (!accepted) {
            gate.settle(ticket, lease, AttemptCost.FAILED);
            return reply;
        }
        gate.resumeIfServed(lease, model, reply.headers());
        if (!reply.isStream()) {
            settle(operation, ticket, lease, UsageReader.fromBody(reply.body()).orElse(null));
            return reply;
        }
        StreamUsageTap tap = new StreamUsageTap(stripUsageChunk, (used, termination) -> settle(operation, ticket, lease, used));
        return reply.withStream(tap.watch(reply.stream()));
    }

    private void settle(Operation operation, Ticket ticket, Lease lease, TokenUsage used) {
        if (used == null) {
            gate.settle(ticket, lease, AttemptCost.UNKNOWN);
            return;
        }
        usage.tokens(ticket.callerId(), lease.upstream().name(), used.promptTokens(), used.completionTokens());
        metrics.tokensUsed(operation, ticket.plan().model(), lease.upstream(), used.promptTokens(), used.completionTokens());
        if (ticket.plan().estimate().reservedTokens() > 0) {
            metrics.settled(ticket.plan().estimate().reservedTokens(), used.totalTokens());
        }
        gate.settle(ticket, lease, AttemptCost.used(used.totalTokens()));
    }

    /** A call that never reached the upstream cost nothing; one that may have (no reply in time, a cut connection) may still be running. */
    private void settleFailure(Ticket ticket, Lease lease, Throwable failure) {
        gate.settle(ticket, lease, UpstreamFailure.costOf(failure));
    }

    /**
     * {@code GET /v1/models}: for any authenticated caller, outside the request limits, asked of every
     * upstream the caller may use at once, and answered with the union of their lists ({@link ModelLists}).
     */
    public Uni<UpstreamReply> models(HttpHeaders headers) {
        RequestLog log = new RequestLog("GET", Operation.MODELS.publicPath()).measured(metrics, Operation.MODELS);
        return Uni.createFrom().deferred(() -> {
            CallerIdentity caller = callers.identify(headers.getHeaderString(HttpHeaders.AUTHORIZATION));
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
            UpstreamRequest call = new UpstreamRequest(Operation.MODELS, null, false, upstreamHeaders(caller, headers), caller.id());
            List<Uni<ModelLists.Answer>> answers = open.stream().map(upstream -> upstream.sendOnce(call)
                    .map(reply -> new ModelLists.Answer(upstream, Optional.of(reply), Optional.empty()))
                    .onFailure().recoverWithItem(failure -> new ModelLists.Answer(upstream, Optional.empty(), Optional.of(failure))))
                    .toList();
            return Uni.join().all(answers).andFailFast()
                    .flatMap(all -> ModelLists.union(all, caller.plan(), jsonReader));
        }).map(reply -> logged(reply, log)).onFailure().invoke(failure -> logFailure(failure, log));
    }

    /** The address the per-IP limit counts: the peer, or who a trusted proxy says it forwarded for. */
    private String clientAddress(String peer, HttpHeaders headers) {
        return clientAddress(settings, peer, headers);
    }

    static String clientAddress(SluiceSettings settings, String peer, HttpHeaders headers) {
        return settings.clientIp()
                .map(limit -> ClientAddress.resolve(peer, headers.getRequestHeader("X-Forwarded-For"), limit.trustedProxies()))
                .orElse(peer);
    }

    static UpstreamHeaders upstreamHeaders(CallerIdentity caller, HttpHeaders headers) {
        // in managed mode each upstream puts its own key in (UpstreamHeaders.withKey)
        return new UpstreamHeaders(caller.bearerToken(), headers.getHeaderString(UpstreamHeaders.USER_AGENT),
                headers.getHeaderString(UpstreamHeaders.ORGANIZATION), headers.getHeaderString(UpstreamHeaders.PROJECT),
                headers.getHeaderString(UpstreamHeaders.BETA));
    }

    /** Logs a whole reply now, and a stream when it has been relayed to its end, broke off, or the caller hung up. */
    private static UpstreamReply logged(UpstreamReply reply, RequestLog log) {
        log.upstreamStatus(reply.status());
        if (!reply.isStream()) {
            log.finish(reply.status(), null);
            return reply;
        }
        AtomicBoolean first = new AtomicBoolean(true);
        Multi<Buffer> watched = reply.stream().invoke(chunk -> {
            if (first.get() && first.compareAndSet(true, false)) {
                log.firstChunk();
            }
        }).onTermination().invoke(
                (failure, cancelled) -> log.finish(reply.status(),
                        failure != null ? "upstream broke off: " + failure.getClass().getSimpleName()
                                : cancelled ? "caller went away" : null));
        if (reply.status() >= 200 && reply.status() < 300) {
            // Past the first byte nothing can be retried or re-sent: the caller gets an error event in
            // OpenAI's shape and a clean end instead of a cut connection it would have to interpret.
            watched = watched.onFailure().recoverWithItem(failure -> Buffer.buffer(STREAM_BROKE_OFF_EVENT));
        }
        return reply.withStream(watched);
    }

    /** The last event of a stream whose upstream broke off. */
    static final String STREAM_BROKE_OFF_EVENT = "data: {\"error\":{\"message\":\"The upstream stopped sending this stream "
            + "before it was complete; the reply above is partial.\",\"type\":\"server_error\",\"param\":null,"
            + "\"code\":\"upstream_stream_interrupted\"}}\n\n";

    private static void logFailure(Throwable failure, RequestLog log) {
        if (failure instanceof RateLimitedException refused) {
            log.refused(refused.scope());
        }
        log.finish(ErrorMappers.statusOf(failure), failure instanceof UpstreamFailure ? failure.getMessage() : null);
    }
}
