package dev.sluice.usage;

import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An upstream body as the tap sees it: the given chunks, then completion or a failure. Counts what
 * the tap asks for, and notes a cancellation (where UpstreamHttp resets the HTTP request).
 */
final class TestChunkSource {

    private final List<Buffer> chunks;
    private final Throwable failure;
    final AtomicLong requested = new AtomicLong();
    final AtomicBoolean cancelled = new AtomicBoolean();

    private TestChunkSource(List<Buffer> chunks, Throwable failure) {
        this.chunks = chunks;
        this.failure = failure;
    }

    static TestChunkSource completing(String... chunks) {
        return new TestChunkSource(buffers(chunks), null);
    }

    static TestChunkSource failingAfter(Throwable failure, String... chunks) {
        return new TestChunkSource(buffers(chunks), failure);
    }

    /** The stream cut into one-byte chunks. */
    static TestChunkSource byteByByte(String stream) {
        byte[] bytes = stream.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Buffer[] chunks = new Buffer[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chunks[i] = Buffer.buffer(new byte[]{bytes[i]});
        }
        return new TestChunkSource(List.of(chunks), null);
    }

    private static List<Buffer> buffers(String... chunks) {
        return java.util.Arrays.stream(chunks).map(Buffer::buffer).toList();
    }

    Multi<Buffer> multi() {
        Multi<Buffer> items = Multi.createFrom().iterable(chunks);
        if (failure != null) {
            items = items.onCompletion().failWith(failure);
        }
        return items.onRequest().invoke(requested::addAndGet)
                .onCancellation().invoke(() -> cancelled.set(true));
    }
}
