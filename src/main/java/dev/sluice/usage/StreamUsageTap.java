package dev.sluice.usage;

import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;

import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Watches a relayed server-sent event stream for the usage the upstream reports, and reports it once
 * the stream is over, however it ended, so a token reservation can always be settled.
 *
 * <p>The bytes pass unchanged, except that with {@code stripUsageChunk} the usage chunk (an event with
 * a {@code usage} object and {@code "choices":[]}) is dropped: Sluice asked for it, the caller did
 * not. The {@code "usage":null} that OpenAI then puts in every other chunk stays; clients ignore a
 * null usage, and removing it would mean re-writing every chunk.
 *
 * <p>Back-pressure is kept: each upstream chunk becomes at most one buffer (its complete events; the
 * incomplete tail is held), and the next chunk is requested only when the caller wants more. A chunk
 * without a complete event becomes an empty Multi, after which {@code transformToMultiAndConcatenate}
 * requests the next chunk itself, so demand keeps flowing. A caller who cancels cancels the upstream.
 */
public final class StreamUsageTap {

    private final boolean stripUsageChunk;
    private final BiConsumer<TokenUsage, Termination> onEnd;

    /**
     * @param stripUsageChunk true when Sluice added the usage chunk ({@link UsageRequestedBody#usageChunkAdded()})
     * @param onEnd           called exactly once per subscription when the stream completes, fails or is
     *                        cancelled, with the last usage seen (null if none) and how it ended. It runs
     *                        on the thread that ended the stream (often a Vert.x event loop): it must not
     *                        block or throw.
     */
    public StreamUsageTap(boolean stripUsageChunk, BiConsumer<TokenUsage, Termination> onEnd) {
        this.stripUsageChunk = stripUsageChunk;
        this.onEnd = Objects.requireNonNull(onEnd, "onEnd");
    }

    /** The stream to relay instead of {@code sse}; also usable as {@code sse.plug(tap::watch)}. */
    public Multi<Buffer> watch(Multi<Buffer> sse) {
        // deferred: the scanner's state belongs to one subscription
        return Multi.createFrom().deferred(() -> {
            SseEventScanner scanner = new SseEventScanner(stripUsageChunk);
            return sse
                    .onItem().transformToMultiAndConcatenate(chunk -> zeroOrOne(scanner.accept(chunk)))
                    .onCompletion().switchTo(() -> zeroOrOne(scanner.finish()))
                    .onTermination().invoke((failure, cancelled) -> onEnd.accept(scanner.usage(),
                            failure != null ? Termination.FAILED
                                    : cancelled ? Termination.CANCELLED : Termination.COMPLETED));
        });
    }

    private static Multi<Buffer> zeroOrOne(Buffer buffer) {
        return buffer == null ? Multi.createFrom().empty() : Multi.createFrom().item(buffer);
    }
}
