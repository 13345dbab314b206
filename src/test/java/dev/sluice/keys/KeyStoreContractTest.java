package dev.sluice.keys;

import dev.sluice.limit.Rate;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every key store must do, run against each of them (in memory, a real Infinispan server). The
 * stores may hold other tests' keys: each case uses its own ids and checks only them.
 */
public abstract class KeyStoreContractTest {

    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

    protected abstract KeyStore createStore();

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static KeyRecord record(String id) {
        return KeyRecord.issued(id, "contract", "default", CallerKeys.hash(id), NOW);
    }

    private static Optional<KeyRecord> find(KeyStore.Snapshot snapshot, String id) {
        return snapshot.records().stream().filter(record -> record.id().equals(id)).findFirst();
    }

    @Test
    void aRecordPutIsLoadedAsItWasAndEveryChangeMovesTheVersion() throws Exception {
        KeyStore store = createStore();
        String id = "key_" + UUID.randomUUID();
        String before = await(store.version());

        await(store.put(record(id)));
        String afterPut = await(store.version());
        assertThat(afterPut).isNotEqualTo(before);
        assertThat(find(await(store.load()), id)).contains(record(id));

        KeyRecord changed = record(id).withPlan("basic").withDisabled(true).withOverrides(new KeyOverrides(Optional.of(Rate.perMinute(6)),
                OptionalLong.of(2), OptionalLong.empty(), OptionalLong.of(3), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty()));
        await(store.put(changed));
        assertThat(await(store.version())).isNotEqualTo(afterPut);
        assertThat(find(await(store.load()), id)).contains(changed);
    }

    @Test
    void aRemovedRecordIsGoneAndRemovingItAgainSaysSo() throws Exception {
        KeyStore store = createStore();
        String id = "key_" + UUID.randomUUID();
        await(store.put(record(id)));
        String before = await(store.version());

        assertThat(await(store.remove(id))).isTrue();
        assertThat(await(store.version())).isNotEqualTo(before);
        assertThat(find(await(store.load()), id)).isEmpty();
        assertThat(await(store.remove(id))).isFalse();
    }

    @Test
    void theVersionALoadReturnsIsNoLaterThanItsRecords() throws Exception {
        KeyStore store = createStore();
        String id = "key_" + UUID.randomUUID();
        await(store.put(record(id)));

        KeyStore.Snapshot snapshot = await(store.load());
        assertThat(find(snapshot, id)).isPresent();
        assertThat(snapshot.version()).isEqualTo(await(store.version()));
    }
}
