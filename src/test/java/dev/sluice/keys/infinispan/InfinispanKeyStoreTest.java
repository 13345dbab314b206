package dev.sluice.keys.infinispan;

import dev.sluice.config.SluiceSettings;
import dev.sluice.config.SluiceSettingsTest;
import dev.sluice.keys.CallerKeys;
import dev.sluice.keys.KeyAdmin;
import dev.sluice.keys.KeyLookup;
import dev.sluice.keys.KeyRecord;
import dev.sluice.keys.KeyRegistry;
import dev.sluice.keys.KeyStore;
import dev.sluice.keys.KeyStoreContractTest;
import dev.sluice.limit.infinispan.InfinispanTestServer;
import org.infinispan.client.hotrod.RemoteCache;
import org.infinispan.client.hotrod.RemoteCacheManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The key store contract against a real Infinispan server; and two instances' copies of the keys
 * (each its own Hot Rod client, as two Sluice instances have, the other syncing every second as Sluice
 * does by default): a change made through one is in force on the other within the documented 5 s.
 */
class InfinispanKeyStoreTest extends KeyStoreContractTest {

    private static RemoteCacheManager one;
    private static RemoteCacheManager other;
    private static ExecutorService executor;

    @BeforeAll
    static void connect() {
        one = InfinispanTestServer.newInstanceClient();
        other = InfinispanTestServer.newInstanceClient();
        executor = Executors.newFixedThreadPool(4);
    }

    @AfterAll
    static void disconnect() {
        one.close();
        other.close();
        executor.shutdownNow();
    }

    private static RemoteCache<String, String> cache(RemoteCacheManager manager) {
        return manager.getCache(InfinispanKeyStore.CACHE);
    }

    @Override
    protected KeyStore createStore() {
        return new InfinispanKeyStore(() -> cache(one), executor);
    }

    @Test
    void aKeyIssuedChangedOrRevokedThroughOneInstanceIsInForceOnAnotherWithinFiveSeconds() throws Exception {
        SluiceSettings settings = SluiceSettingsTest.fromEnvironment(Map.of("SLUICE_PLANS_BASIC_RATE", "1/m"));
        KeyRegistry here = new KeyRegistry(new InfinispanKeyStore(() -> cache(one), executor), List.of(), settings.plans(), false,
                ZoneOffset.UTC);
        KeyRegistry there = new KeyRegistry(new InfinispanKeyStore(() -> cache(other), executor), List.of(), settings.plans(), false,
                ZoneOffset.UTC);
        // the other instance syncs as Sluice does by default: every second
        ScheduledExecutorService sync = Executors.newSingleThreadScheduledExecutor();
        sync.scheduleAtFixedRate(() -> there.refresh().toCompletableFuture().join(), 0, 1, TimeUnit.SECONDS);
        try {
            String secret = CallerKeys.generate(new SecureRandom());
            Instant now = Instant.now();
            KeyRecord record = KeyRecord.issued(CallerKeys.newId(new SecureRandom()), "crossing", "default", CallerKeys.hash(secret), now);
            KeyAdmin admin = new KeyAdmin(here, new SecureRandom(), Instant::now);

            here.store().put(record).toCompletableFuture().get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .until(() -> there.lookup(CallerKeys.hash(secret), now).equals(new KeyLookup.Known(record.id(), settings.defaultPlan())));

            admin.update(record.id(), changed -> changed.withPlan("basic")).toCompletableFuture().get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .until(() -> there.lookup(CallerKeys.hash(secret), now).equals(new KeyLookup.Known(record.id(), settings.plans().get("basic"))));

            admin.revoke(record.id()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(here.lookup(CallerKeys.hash(secret), now)).as("at once where it was revoked").isInstanceOf(KeyLookup.Refused.class);
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .until(() -> there.lookup(CallerKeys.hash(secret), now).equals(new KeyLookup.Refused(KeyLookup.Reason.UNKNOWN)));
        } finally {
            sync.shutdownNow();
        }
    }
}
