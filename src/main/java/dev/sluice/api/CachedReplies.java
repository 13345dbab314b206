package dev.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.metrics.SluiceMetrics;
import dev.sluice.openai.Operation;
import dev.sluice.replies.CachedReply;
import dev.sluice.replies.ReplyCache;
import dev.sluice.upstream.UpstreamReply;
import dev.sluice.usage.TokenUsage;
import dev.sluice.usage.UsageReader;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The exact reply cache of a plan with {@code SLUICE_*_CACHE_TTL}: a whole 200 reply is kept for the caller's
 * identical requests (the same path and body bytes) for the TTL, in the store (Infinispan for the fleet); a
 * hit is answered from it without any bucket or upstream call, marked {@value #HEADER}{@code : hit}, and
 * counted in the caller's usage as served by the cache. A caller skips it with {@code Cache-Control: no-cache}
 * (its fresh reply replaces the kept one).
 *
 * <p>Only requests whose answer is meant to be the same again are kept ({@link #cacheable}): chat and
 * completions at {@code temperature} 0 or unset (OpenAI's default is 1, but a caller that sets none asked for
 * no variety), one choice, no tools (a tool call acts on the world); embeddings and moderations always.
 * Streams are not kept: a stream is for a caller watching an answer being written, and a kept one would have
 * to be replayed chunk by chunk. Responses are not kept either: each creates a stored response of its own.
 * A store that does not answer is a miss, never a failed request.
 */
final class CachedReplies {

    static final String HEADER = "x-sluice-cache";
    private static final Logger LOG = Logger.getLogger("dev.sluice.cache");

    private final ReplyCache cache;
    private final UsageCounters usage;
    private final SluiceMetrics metrics;

    CachedReplies(ReplyCache cache, UsageCounters usage, SluiceMetrics metrics) {
        this.cache = cache;
        this.usage = usage;
        this.metrics = metrics;
    }

    static boolean cacheable(Operation operation, ProxiedRequest request) {
        if (request.stream()) {
            return false;
        }
        JsonNode body = request.json();
        return switch (operation) {
            case EMBEDDINGS, MODERATIONS -> true;
            case CHAT_COMPLETIONS, COMPLETIONS -> (body.path("temperature").isMissingNode() || body.path("temperature").isNull()
                    || body.path("temperature").isNumber() && body.path("temperature").doubleValue() == 0)
                    && body.path("n").asLong(1) == 1 && body.path("tools").isMissingNode() && body.path("functions").isMissingNode();
            case RESPONSES, MODELS -> false;
        };
    }

    /** Whether the caller asked not to be answered from a cache. */
    static boolean bypassed(MultiMap headers) {
        String control = CallerHeaders.header(headers, "Cache-Control");
        return control != null && control.toLowerCase(Locale.ROOT).contains("no-cache");
    }

    /**
     * The reply: kept, or {@code call}'s, which is then kept when it is a whole 200.
     *
     * @param key     the caller's id and the request's digest
     * @param onHit   tells the request log
     */
    Uni<UpstreamReply> reply(Operation operation, String key, String callerId, Duration ttl, boolean bypass,
            Supplier<Uni<UpstreamReply>> call, Runnable onHit) {
        Uni<Optional<CachedReply>> kept = bypass ? Uni.createFrom().item(Optional.empty())
                : Uni.createFrom().completionStage(cache.get(key)).onFailure().recoverWithItem(failure -> {
                    LOG.debugf("Reply cache (%s) not read: %s", cache.name(), failure.getMessage());
                    return Optional.empty();
                });
        return kept.flatMap(hit -> {
            if (!bypass) {
                metrics.cacheLookup(operation, hit.isPresent());
            }
            if (hit.isPresent()) {
                onHit.run();
                Buffer body = Buffer.buffer(hit.get().body());
                TokenUsage used = UsageReader.fromBody(body).orElse(new TokenUsage(0, 0));
                usage.cached(callerId, used.promptTokens(), used.completionTokens());
                return Uni.createFrom().item(UpstreamReply.whole(hit.get().status(), hit.get().headers(), body).withHeader(HEADER, "hit"));
            }
            return call.get().map(reply -> {
                if (reply.status() == 200 && !reply.isStream()) {
                    cache.put(key, new CachedReply(reply.status(), reply.headers(), reply.body().getBytes()), ttl)
                            .whenComplete((ignored, failure) -> {
                                if (failure != null) {
                                    LOG.debugf("Reply cache (%s) not written: %s", cache.name(), failure.getMessage());
                                }
                            });
                }
                return reply.isStream() ? reply : reply.withHeader(HEADER, "miss");
            });
        });
    }
}
