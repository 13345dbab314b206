package dev.sluice.replies;

import dev.sluice.limit.TestTimeSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryReplyCacheTest {

    private final TestTimeSource clock = new TestTimeSource();

    static CachedReply reply(int bodyBytes) {
        return new CachedReply(200, Map.of("content-type", List.of("application/json"), "x-request-id", List.of("req-1")),
                new byte[bodyBytes]);
    }

    private static Optional<CachedReply> get(ReplyCache cache, String key) {
        return cache.get(key).toCompletableFuture().join();
    }

    @Test
    void aReplyIsKeptForItsTtlAndNoLonger() {
        ReplyCache cache = new InMemoryReplyCache(clock, 1 << 20);
        cache.put("a", reply(10), Duration.ofMinutes(5));

        clock.advanceSeconds(299);
        assertThat(get(cache, "a")).hasValueSatisfying(kept -> assertThat(kept.headers()).containsKey("x-request-id"));
        clock.advanceSeconds(1);
        assertThat(get(cache, "a")).isEmpty();
    }

    @Test
    void theLeastRecentlyUsedGoFirstBeyondTheBound() {
        InMemoryReplyCache cache = new InMemoryReplyCache(clock, 12_000);
        // 800 bytes of body and 256 for the rest: twelve replies take 12,672 bytes, one too many
        cache.put("a", reply(800), Duration.ofHours(1));
        cache.put("b", reply(800), Duration.ofHours(1));
        get(cache, "a"); // a is used again: b is now the least recently used
        for (int i = 0; i < 10; i++) {
            cache.put("filler-" + i, reply(800), Duration.ofHours(1));
        }

        assertThat(cache.bytes()).isLessThanOrEqualTo(12_000);
        assertThat(get(cache, "b")).isEmpty();
        assertThat(get(cache, "a")).isPresent();
    }

    @Test
    void aReplyOverATenthOfTheBoundIsNotKept() {
        ReplyCache cache = new InMemoryReplyCache(clock, 10_000);
        cache.put("big", reply(2_000), Duration.ofHours(1));

        assertThat(get(cache, "big")).isEmpty();
    }

    @Test
    void aReplyReadsBackAsItWasWritten() {
        CachedReply written = new CachedReply(200, Map.of("content-type", List.of("application/json"), "openai-model", List.of("gpt-4o")),
                "{\"id\":\"chatcmpl-1\",\"text\":\"héllo\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        CachedReply read = CachedReply.decode(written.encode()).orElseThrow();

        assertThat(read.status()).isEqualTo(200);
        assertThat(read.headers()).isEqualTo(written.headers());
        assertThat(read.body()).isEqualTo(written.body());
        assertThat(CachedReply.decode(new byte[] {1, 2, 3})).isEmpty();
    }
}
