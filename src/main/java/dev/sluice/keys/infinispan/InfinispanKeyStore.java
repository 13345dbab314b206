package dev.sluice.keys.infinispan;

import dev.sluice.keys.KeyRecord;
import dev.sluice.keys.KeyRecordCodec;
import dev.sluice.keys.KeyStore;
import org.infinispan.client.hotrod.Flag;
import org.infinispan.client.hotrod.RemoteCache;
import org.infinispan.commons.util.CloseableIterator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Keys shared by the fleet in the Infinispan cache {@value #CACHE}: each record as JSON under
 * {@code key:<id>}, and under {@value #VERSION} a value that every change replaces. Admin changes are
 * rare and whole-record, so plain puts do; the keys are few enough (thousands) to load whole when the
 * version moves. Hot Rod calls block, so they run on {@code executor}, never on an event loop.
 */
public final class InfinispanKeyStore implements KeyStore {

    public static final String CACHE = "sluice-keys";
    static final String VERSION = "version";
    private static final String RECORD_PREFIX = "key:";

    private final Supplier<RemoteCache<String, String>> cache;
    private final Executor executor;

    /** @param cache the {@value #CACHE} cache, connected on first use */
    public InfinispanKeyStore(Supplier<RemoteCache<String, String>> cache, Executor executor) {
        this.cache = cache;
        this.executor = executor;
    }

    @Override
    public CompletionStage<Snapshot> load() {
        return CompletableFuture.supplyAsync(() -> {
            RemoteCache<String, String> keys = cache.get();
            String version = String.valueOf(keys.get(VERSION));
            List<KeyRecord> records = new ArrayList<>();
            try (CloseableIterator<Map.Entry<Object, Object>> entries = keys.retrieveEntries(null, 256)) {
                while (entries.hasNext()) {
                    Map.Entry<Object, Object> entry = entries.next();
                    if (entry.getKey() instanceof String key && key.startsWith(RECORD_PREFIX)) {
                        records.add(KeyRecordCodec.decode((String) entry.getValue()));
                    }
                }
            }
            return new Snapshot(version, records);
        }, executor);
    }

    @Override
    public CompletionStage<String> version() {
        return CompletableFuture.supplyAsync(() -> String.valueOf(cache.get().get(VERSION)), executor);
    }

    @Override
    public CompletionStage<Void> put(KeyRecord record) {
        return CompletableFuture.runAsync(() -> {
            RemoteCache<String, String> keys = cache.get();
            keys.put(RECORD_PREFIX + record.id(), KeyRecordCodec.encode(record));
            keys.put(VERSION, UUID.randomUUID().toString());
        }, executor);
    }

    @Override
    public CompletionStage<Boolean> remove(String id) {
        return CompletableFuture.supplyAsync(() -> {
            RemoteCache<String, String> keys = cache.get();
            boolean removed = keys.withFlags(Flag.FORCE_RETURN_VALUE).remove(RECORD_PREFIX + id) != null;
            keys.put(VERSION, UUID.randomUUID().toString());
            return removed;
        }, executor);
    }

    @Override
    public String name() {
        return "infinispan";
    }
}
