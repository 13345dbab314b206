package dev.sluice.keys;

import dev.sluice.config.Plan;
import dev.sluice.config.StaticKey;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * This instance's copy of every key it accepts ({@link KeyDirectory}): a request looks its caller up
 * here, without a store round trip. {@link #refresh()}, called every key-sync interval, asks the store
 * for its version (one small read for the whole instance, whatever the traffic) and reloads the keys
 * when they changed, so that a key created, changed or revoked anywhere in the fleet is in force here
 * within that interval plus a load. Until the store has answered once, only the keys set in the
 * environment (and, when accepted, any token) are known.
 */
public final class KeyRegistry {

    private final KeyStore store;
    private final List<StaticKey> staticKeys;
    private final Map<String, Plan> plans;
    private final boolean acceptAnyKey;
    private final ZoneId zone;
    /** The directory and the store's version it was built from (null before the first load), replaced together. */
    private volatile Loaded loaded;

    private record Loaded(KeyDirectory directory, String version) {
    }

    public KeyRegistry(KeyStore store, List<StaticKey> staticKeys, Map<String, Plan> plans, boolean acceptAnyKey, ZoneId zone) {
        this.store = store;
        this.staticKeys = List.copyOf(staticKeys);
        this.plans = Map.copyOf(plans);
        this.acceptAnyKey = acceptAnyKey;
        this.zone = zone;
        this.loaded = new Loaded(build(List.of()), null);
    }

    /** @param tokenHash {@link CallerKeys#hash} of the bearer token */
    public KeyLookup lookup(String tokenHash, Instant now) {
        return loaded.directory().lookup(tokenHash, now);
    }

    /** The keys as this instance last loaded them. */
    public KeyDirectory directory() {
        return loaded.directory();
    }

    /** Reloads the keys when the store's version moved (or they were never loaded); completes when done. */
    public CompletionStage<Void> refresh() {
        return store.version().thenCompose(current -> current.equals(loaded.version()) ? CompletableFuture.completedFuture(null)
                : reload());
    }

    /** Loads every key now, as after a change made here. */
    public CompletionStage<Void> reload() {
        // Of two loads in flight, the one that ends last wins even if it read less: its version is then
        // behind the store's, and the next refresh loads again.
        return store.load().thenAccept(snapshot -> loaded = new Loaded(build(snapshot.records()), snapshot.version()));
    }

    private KeyDirectory build(Collection<KeyRecord> records) {
        return KeyDirectory.of(records, staticKeys, plans, acceptAnyKey, zone);
    }

    public KeyStore store() {
        return store;
    }
}
