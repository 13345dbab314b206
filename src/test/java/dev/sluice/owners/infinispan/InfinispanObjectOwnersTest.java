package dev.sluice.owners.infinispan;

import dev.sluice.limit.infinispan.InfinispanTestServer;
import dev.sluice.owners.ObjectOwners;
import dev.sluice.owners.ObjectOwnersContractTest;
import dev.sluice.owners.Owner;
import org.infinispan.client.hotrod.RemoteCacheManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/** The owner store contract against a real Infinispan server, and a record made through one instance read through another. */
class InfinispanObjectOwnersTest extends ObjectOwnersContractTest {

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

    private static ObjectOwners through(RemoteCacheManager manager) {
        return new InfinispanObjectOwners(() -> manager.getCache(InfinispanObjectOwners.CACHE), executor);
    }

    @Override
    protected ObjectOwners createStore() {
        return through(one);
    }

    @Test
    void anOwnerRecordedThroughOneInstanceIsFoundThroughAnother() throws Exception {
        String id = newId("batch_");

        await(through(one).record(List.of(id), new Owner("caller-a", "primary"), Optional.empty()));

        assertThat(await(through(other).find(id))).contains(new Owner("caller-a", "primary"));
    }
}
