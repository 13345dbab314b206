package dev.sluice.replies;

import dev.sluice.limit.TimeSource;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Replies in this instance's memory: at most {@code maxBytes} in all, the least recently used dropped first,
 * and no reply larger than a tenth of that; an expired reply reads as absent.
 */
public final class InMemoryReplyCache implements ReplyCache {

    /** Enough for thousands of chat replies; an instance's heap is not the place for more. */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;

    private record Entry(CachedReply reply, long expiresAtNanos) {
    }

    private final TimeSource clock;
    private final long maxBytes;
    private final Map<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    public InMemoryReplyCache(TimeSource clock, long maxBytes) {
        this.clock = clock;
        this.maxBytes = maxBytes;
    }

    @Override
    public synchronized CompletionStage<Optional<CachedReply>> get(String key) {
        Entry entry = entries.get(key);
        if (entry != null && clock.nowNanos() - entry.expiresAtNanos() >= 0) {
            remove(key);
            entry = null;
        }
        return CompletableFuture.completedFuture(Optional.ofNullable(entry).map(Entry::reply));
    }

    @Override
    public synchronized CompletionStage<Void> put(String key, CachedReply reply, Duration ttl) {
        if (reply.sizeBytes() <= maxBytes / 10) {
            remove(key);
            entries.put(key, new Entry(reply, clock.nowNanos() + ttl.toNanos()));
            bytes += reply.sizeBytes();
            for (Iterator<Map.Entry<String, Entry>> eldest = entries.entrySet().iterator(); bytes > maxBytes && eldest.hasNext(); ) {
                bytes -= eldest.next().getValue().reply().sizeBytes();
                eldest.remove();
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    private void remove(String key) {
        Entry removed = entries.remove(key);
        if (removed != null) {
            bytes -= removed.reply().sizeBytes();
        }
    }

    /** The bytes kept now, for tests. */
    synchronized long bytes() {
        return bytes;
    }

    @Override
    public String name() {
        return "memory";
    }
}
