package dev.sluice.owners.infinispan;

import dev.sluice.owners.ObjectOwners;
import dev.sluice.owners.Owner;
import org.infinispan.client.hotrod.RemoteCache;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Owners shared by the fleet in the Infinispan cache {@value #CACHE}, one entry per object id
 * ({@link Owner#encode}), with the upstream's own retention as the entry's lifespan (stored responses
 * expire after 30 days there and here). An object is created once and its owner never changes, so plain
 * puts do. Hot Rod calls block: they run on {@code executor}, never on an event loop.
 */
public final class InfinispanObjectOwners implements ObjectOwners {

    public static final String CACHE = "sluice-objects";

    private final Supplier<RemoteCache<String, String>> cache;
    private final Executor executor;

    public InfinispanObjectOwners(Supplier<RemoteCache<String, String>> cache, Executor executor) {
        this.cache = cache;
        this.executor = executor;
    }

    @Override
    public CompletionStage<Optional<Owner>> find(String id) {
        return CompletableFuture.supplyAsync(() -> Optional.ofNullable(Owner.decode(cache.get().get(id))), executor);
    }

    @Override
    public CompletionStage<Map<String, Owner>> findAll(Collection<String> ids) {
        if (ids.isEmpty()) {
            return CompletableFuture.completedFuture(Map.of());
        }
        return CompletableFuture.supplyAsync(() -> {
            Map<String, Owner> found = new HashMap<>();
            cache.get().getAll(new HashSet<>(ids)).forEach((id, stored) -> {
                Owner owner = Owner.decode(stored);
                if (owner != null) {
                    found.put(id, owner);
                }
            });
            return found;
        }, executor);
    }

    @Override
    public CompletionStage<Void> record(Collection<String> ids, Owner owner, Optional<Duration> retention) {
        return CompletableFuture.runAsync(() -> {
            Map<String, String> entries = new HashMap<>();
            ids.forEach(id -> entries.put(id, owner.encode()));
            if (retention.isPresent()) {
                cache.get().putAll(entries, retention.get().toSeconds(), TimeUnit.SECONDS);
            } else {
                cache.get().putAll(entries);
            }
        }, executor);
    }

    @Override
    public CompletionStage<Void> forget(String id) {
        return CompletableFuture.runAsync(() -> cache.get().remove(id), executor);
    }

    @Override
    public String name() {
        return "infinispan";
    }
}
