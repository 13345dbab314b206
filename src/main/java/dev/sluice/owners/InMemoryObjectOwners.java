package dev.sluice.owners;

import dev.sluice.limit.TimeSource;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Owners in this instance's memory: the store of a single instance, or of a newcomer trying Sluice. At
 * most {@code capacity} records, the oldest dropped first: an object whose record is gone is
 * unreachable through Sluice (404), which errs on the safe side. Expired records read as absent.
 */
public final class InMemoryObjectOwners implements ObjectOwners {

    /** Enough for a busy single instance's stored responses of a day or more (~200 bytes each). */
    public static final int DEFAULT_CAPACITY = 1_000_000;

    private record Entry(Owner owner, long expiresAtNanos) {
    }

    private final TimeSource clock;
    private final Map<String, Entry> entries;

    public InMemoryObjectOwners(TimeSource clock, int capacity) {
        this.clock = clock;
        this.entries = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > capacity;
            }
        };
    }

    @Override
    public synchronized CompletionStage<Optional<Owner>> find(String id) {
        return CompletableFuture.completedFuture(Optional.ofNullable(live(id)));
    }

    @Override
    public synchronized CompletionStage<Map<String, Owner>> findAll(Collection<String> ids) {
        Map<String, Owner> found = new HashMap<>();
        for (String id : ids) {
            Owner owner = live(id);
            if (owner != null) {
                found.put(id, owner);
            }
        }
        return CompletableFuture.completedFuture(found);
    }

    private Owner live(String id) {
        Entry entry = entries.get(id);
        if (entry == null) {
            return null;
        }
        if (clock.nowNanos() - entry.expiresAtNanos() >= 0) {
            entries.remove(id);
            return null;
        }
        return entry.owner();
    }

    @Override
    public synchronized CompletionStage<Void> record(Collection<String> ids, Owner owner, Optional<Duration> retention) {
        long expiresAt = retention.map(kept -> clock.nowNanos() + kept.toNanos()).orElse(clock.nowNanos() + Long.MAX_VALUE / 2);
        for (String id : ids) {
            entries.put(id, new Entry(owner, expiresAt));
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletionStage<Void> forget(String id) {
        entries.remove(id);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public String name() {
        return "memory";
    }
}
