package dev.sluice.replies.infinispan;

import dev.sluice.limit.infinispan.InfinispanTestServer;
import dev.sluice.replies.CachedReply;
import dev.sluice.replies.ReplyCache;
import org.infinispan.client.hotrod.RemoteCacheManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The reply cache in a real Infinispan server: what one instance keeps another reads, until its TTL. */
class InfinispanReplyCacheTest {

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

    private static ReplyCache through(RemoteCacheManager manager) {
        return new InfinispanReplyCache(() -> manager.getCache(InfinispanReplyCache.CACHE), executor);
    }

    @Test
    void aReplyKeptThroughOneInstanceIsReadThroughAnotherUntilItsTtl() throws Exception {
        String key = "caller:" + UUID.randomUUID();
        CachedReply reply = new CachedReply(200, Map.of("content-type", List.of("application/json")), "{\"ok\":true}".getBytes());

        through(one).put(key, reply, Duration.ofSeconds(2)).toCompletableFuture().get(10, TimeUnit.SECONDS);

        CachedReply read = through(other).get(key).toCompletableFuture().get(10, TimeUnit.SECONDS).orElseThrow();
        assertThat(read.body()).isEqualTo(reply.body());
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> through(other).get(key).toCompletableFuture().get(10, TimeUnit.SECONDS).isEmpty());
    }

    @Test
    void aReplyOverTheLimitIsNotKept() throws Exception {
        String key = "caller:" + UUID.randomUUID();

        through(one).put(key, new CachedReply(200, Map.of(), new byte[2 << 20]), Duration.ofMinutes(1)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);

        assertThat(through(other).get(key).toCompletableFuture().get(10, TimeUnit.SECONDS)).isEmpty();
    }
}
