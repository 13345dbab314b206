package dev.sluice.keys;

import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Keys in this instance's memory: the embedded default, like the in-memory bucket store; lost on restart. */
public final class InMemoryKeyStore implements KeyStore {

    private final ConcurrentHashMap<String, String> encoded = new ConcurrentHashMap<>();
    private final AtomicLong version = new AtomicLong();

    @Override
    public CompletionStage<Snapshot> load() {
        String before = Long.toString(version.get());
        var records = new ArrayList<KeyRecord>();
        // stored encoded, as Infinispan keeps them, so that both stores pass the same round trip
        encoded.values().forEach(text -> records.add(KeyRecordCodec.decode(text)));
        return CompletableFuture.completedFuture(new Snapshot(before, records));
    }

    @Override
    public CompletionStage<String> version() {
        return CompletableFuture.completedFuture(Long.toString(version.get()));
    }

    @Override
    public CompletionStage<Void> put(KeyRecord record) {
        encoded.put(record.id(), KeyRecordCodec.encode(record));
        version.incrementAndGet();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Boolean> remove(String id) {
        boolean removed = encoded.remove(id) != null;
        version.incrementAndGet();
        return CompletableFuture.completedFuture(removed);
    }

    @Override
    public String name() {
        return "memory";
    }
}
