package dev.sluice.replies;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Whole replies kept for a while for identical requests ({@code SLUICE_*_CACHE_TTL}): in this instance's
 * memory, or in Infinispan for the fleet. Bounded in size; what does not fit is not kept.
 */
public interface ReplyCache {

    CompletionStage<Optional<CachedReply>> get(String key);

    CompletionStage<Void> put(String key, CachedReply reply, Duration ttl);

    /** @return "memory" or "infinispan", for logs */
    String name();
}
