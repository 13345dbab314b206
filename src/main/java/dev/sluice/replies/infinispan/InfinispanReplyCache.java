package dev.sluice.replies.infinispan;

import dev.sluice.replies.CachedReply;
import dev.sluice.replies.ReplyCache;
import org.infinispan.client.hotrod.RemoteCache;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Replies shared by the fleet in the Infinispan cache {@value #CACHE}, each with its TTL as the entry's
 * lifespan; the cache's own memory bound (deploy/local/infinispan) evicts the least recently used. Hot Rod
 * calls block: they run on {@code executor}, never on an event loop.
 */
public final class InfinispanReplyCache implements ReplyCache {

    public static final String CACHE = "sluice-replies";
    /** A reply larger than this is not kept: the cache is for answers, not for files. */
    static final int MAX_REPLY_BYTES = 1 << 20;

    private final Supplier<RemoteCache<String, byte[]>> cache;
    private final Executor executor;

    public InfinispanReplyCache(Supplier<RemoteCache<String, byte[]>> cache, Executor executor) {
        this.cache = cache;
        this.executor = executor;
    }

    @Override
    public CompletionStage<Optional<CachedReply>> get(String key) {
        return CompletableFuture.supplyAsync(() -> CachedReply.decode(cache.get().get(key)), executor);
    }

    @Override
    public CompletionStage<Void> put(String key, CachedReply reply, Duration ttl) {
        if (reply.sizeBytes() > MAX_REPLY_BYTES) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> cache.get().put(key, reply.encode(), Math.max(1, ttl.toMillis()), TimeUnit.MILLISECONDS),
                executor);
    }

    @Override
    public String name() {
        return "infinispan";
    }
}
