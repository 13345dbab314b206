package dev.sluice.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.sluice.admission.Lease;
import dev.sluice.admission.Ticket;
import dev.sluice.config.Plan;
import dev.sluice.config.SluiceSettings;
import dev.sluice.content.RequestText;
import dev.sluice.metrics.SluiceMetrics;
import dev.sluice.openai.Operation;
import dev.sluice.owners.ObjectOwners;
import dev.sluice.owners.Owner;
import dev.sluice.replies.ReplyCache;
import dev.sluice.tokens.TokenEstimate;
import dev.sluice.tokens.TokenEstimator;
import dev.sluice.upstream.ResilientUpstream;
import dev.sluice.upstream.Upstream;
import dev.sluice.upstream.UpstreamFailure;
import dev.sluice.upstream.UpstreamPool;
import dev.sluice.upstream.UpstreamReply;
import dev.sluice.upstream.UpstreamRequest;
import dev.sluice.usage.AttemptCost;
import dev.sluice.usage.StreamOptions;
import dev.sluice.usage.StreamUsageTap;
import dev.sluice.usage.TokenUsage;
import dev.sluice.usage.UsageReader;
import dev.sluice.usage.UsageRequestedBody;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.function.Supplier;

/**
 * The request path behind the model calls' route ({@link MeteredRoutes}): identify the caller, check the body, admit, call the
 * upstream, and log the outcome once the reply (or stream) is over.
 */
@Singleton
public class RequestRelay {

    /** Identical requests in flight on this instance, for the plans that coalesce them. */
    private final Coalescer coalescer = new Coalescer();

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
    private final DeniedText deniedText;

    @Inject
    public RequestRelay(SluiceSettings settings, Callers callers, AdmissionGate gate, UpstreamPool upstreams, ResilientUpstream resilient,
            UsageCounters usage, ObjectMapper mapper, SluiceMetrics metrics, ObjectOwners owners, ReplyCache replyCache) {
        this.metrics = metrics;
        this.cachedReplies = new CachedReplies(replyCache, usage, metrics);
        this.moderation = new ModerationCheck(gate, upstreams, mapper, metrics);
        this.deniedText = new DeniedText(metrics);
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
     * A call with a JSON body, admitted against every limit that applies: checked ({@link #check}), moderated
     * when its plan says so, shared with an identical one in flight or answered from the reply cache when its
     * plan says so ({@link #shared}), else admitted and sent ({@link #admitAndSend}); logged once it is over.
     *
     * @param request the caller's request, for its headers and its peer; its body, read whole, is {@code body}
     */
    public Uni<UpstreamReply> relay(Operation operation, HttpServerRequest request, byte[] body) {
        RequestLog log = new RequestLog("POST", operation.publicPath()).measured(metrics, operation);
        MultiMap headers = request.headers();
        return Uni.createFrom().deferred(() -> {
            Checked checked = check(operation, headers, body, log);
            Supplier<Uni<UpstreamReply>> sent = () -> admitAndSend(checked, CallerHeaders.clientAddress(settings, request), body, log);
            // a moderated request is checked before it is admitted; a reply kept for it was checked when it was made
            Supplier<Uni<UpstreamReply>> moderated = !checked.guards().moderation() || !ModerationCheck.applies(operation) ? sent
                    : () -> moderation.check(checked.caller(), RequestText.of(checked.request().json()),
                            checked.call().headers(), log).flatMap(passed -> sent.get());
            return shared(checked, headers, body, log, moderated);
        }).map(reply -> brokenOffAsEvent(log.follow(reply))).onFailure().invoke(log::failed);
    }

    /**
     * A request that passed every check made before admission, with what admitting and sending it takes.
     *
     * @param estimate        its token cost for the limits that count tokens
     * @param call            what goes upstream (a stream's body may ask for its usage chunk)
     * @param serving         the upstreams that serve its model for its caller, at least one
     * @param stripUsageChunk whether the usage chunk was asked for by Sluice, not the caller, and is not relayed
     */
    private record Checked(Operation operation, CallerIdentity caller, ProxiedRequest request, Plan.Guards guards,
            TokenEstimate estimate, UpstreamRequest call, List<Upstream> serving, boolean stripUsageChunk) {

        String model() {
            return request.model();
        }

        /** A Responses call the upstream stores (its default): its id becomes the caller's. */
        boolean recordsResponse() {
            return operation == Operation.RESPONSES && request.json().path("store").asBoolean(true);
        }
    }

    /**
     * Who calls, whether the plan lets it call this path, the body (a 400 when it is not a valid request), the
     * plan's deny rules and prompt limit, the token estimate, and an upstream that serves the model (a 404 when
     * none does); each refusal thrown as the {@link GatewayException} the caller gets.
     */
    private Checked check(Operation operation, MultiMap headers, byte[] body, RequestLog log) {
        CallerIdentity caller = callers.identify(CallerHeaders.authorization(headers));
        log.caller(caller);
        if (!caller.plan().allowsPath(operation.publicPath())) {
            throw PassThrough.notAllowed(operation.publicPath());
        }
        ProxiedRequest request = ProxiedRequest.parse(operation, body, jsonReader);
        log.request(request.model(), request.stream());
        Plan.Guards guards = caller.plan().guards();
        deniedText.refuseIfDenied(guards.denyRules(), request, caller, log);
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
        UpstreamRequest call = new UpstreamRequest(operation, sent.body(), request.stream(), CallerHeaders.upstreamHeaders(caller, headers), caller.id());
        List<Upstream> serving = upstreams.candidates(caller.plan(), request.model());
        if (serving.isEmpty() || !caller.plan().allowsModel(request.model())) {
            throw GatewayException.invalidRequest(404, "The model `" + request.model() + "` does not exist or you do not "
                    + "have access to it.", "model", "model_not_found");
        }
        return new Checked(operation, caller, request, guards, estimate, call, serving, sent.usageChunkAdded());
    }

    /**
     * Admits the request against every limit that applies and sends it, with retries and failover
     * ({@link ResilientUpstream}); settles its reservations and gives back its slot when the reply is over.
     * A previous_response_id, a conversation or a file its body names must be the caller's, and the request
     * goes to the upstream that holds them ({@link ObjectAccess}).
     */
    private Uni<UpstreamReply> admitAndSend(Checked checked, String clientAddress, byte[] body, RequestLog log) {
        CallerIdentity caller = checked.caller();
        return ObjectAccess.upstreamsFor(owners, caller, List.copyOf(ObjectReferences.in(checked.request().json())), checked.serving())
                .flatMap(candidates -> gate.admit(caller, clientAddress, checked.estimate(), checked.model(),
                        checked.guards().duplicates().map(counted -> digest(checked.operation(), body)), candidates))
                .flatMap(ticket -> send(checked, ticket, log));
    }

    private Uni<UpstreamReply> send(Checked checked, Ticket ticket, RequestLog log) {
        log.admitted(ticket.waitedNanos());
        LeasedPacing pacing = new LeasedPacing(gate, ticket, checked.model());
        return resilient.send(checked.call(), ticket.lease().upstream(), pacing)
                .map(reply -> {
                    log.upstream(pacing.lease().upstream().name());
                    return releasedWhenDone(settledWhenDone(reply, checked.operation(), checked.model(), ticket, pacing.lease(),
                            checked.stripUsageChunk()), ticket);
                })
                .flatMap(reply -> checked.recordsResponse() ? createdResponses.recorded(reply, new Owner(checked.caller().id(),
                        pacing.lease().upstream().name())) : Uni.createFrom().item(reply))
                .onFailure().invoke(failure -> {
                    log.upstream(pacing.lease().upstream().name());
                    settleFailure(ticket, pacing.lease(), failure);
                    gate.release(ticket);
                })
                .onCancellation().invoke(() -> gate.release(ticket));
    }

    /**
     * The upstream call, shared when the caller's plan says so: with an identical request of the same caller in
     * flight on this instance (coalesced; never a stream), and with a reply kept for it (the reply cache).
     */
    private Uni<UpstreamReply> shared(Checked checked, MultiMap headers, byte[] body, RequestLog log,
            Supplier<Uni<UpstreamReply>> call) {
        Plan.Guards guards = checked.guards();
        Operation operation = checked.operation();
        boolean cached = guards.cacheTtl().isPresent() && CachedReplies.cacheable(operation, checked.request());
        boolean coalesced = !checked.request().stream() && guards.coalesce();
        if (!cached && !coalesced) {
            return call.get();
        }
        // one and the same request of one caller: the key of its shared call and of its kept reply
        String requestKey = checked.caller().id() + ":" + digest(operation, body);
        Supplier<Uni<UpstreamReply>> shared = call;
        if (coalesced) {
            shared = () -> {
                Coalescer.Joined joined = coalescer.join(requestKey, call);
                if (!joined.leader()) {
                    log.coalesced();
                    metrics.coalesced(operation, checked.caller().plan().name());
                }
                return joined.reply();
            };
        }
        if (!cached) {
            return shared.get();
        }
        return cachedReplies.reply(operation, requestKey, checked.caller().id(), guards.cacheTtl().get(), CachedReplies.bypassed(headers),
                shared, log::cached);
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
     * Past the first byte of a 2xx stream nothing can be retried or re-sent: when its upstream breaks off, the
     * caller gets an error event in OpenAI's shape and a clean end instead of a cut connection it would have to
     * interpret.
     */
    private static UpstreamReply brokenOffAsEvent(UpstreamReply reply) {
        if (!reply.isStream() || reply.status() < 200 || reply.status() >= 300) {
            return reply;
        }
        return reply.withStream(reply.stream().onFailure().recoverWithItem(failure -> Buffer.buffer(STREAM_BROKE_OFF_EVENT)));
    }

    /** The last event of a stream whose upstream broke off. */
    static final String STREAM_BROKE_OFF_EVENT = "data: {\"error\":{\"message\":\"The upstream stopped sending this stream "
            + "before it was complete; the reply above is partial.\",\"type\":\"server_error\",\"param\":null,"
            + "\"code\":\"upstream_stream_interrupted\"}}\n\n";
}
