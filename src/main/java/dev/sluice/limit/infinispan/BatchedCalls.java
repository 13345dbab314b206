package dev.sluice.limit.infinispan;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Calls to the store's server that go together: what arrives while {@code maxCallsInFlight} calls are
 * out waits in a queue and goes, up to a batch's size, in the next call. A lone request goes at once;
 * under load one round trip, one transaction and one set of locks serve many requests, and the
 * server's load grows with the calls, not the requests.
 *
 * @param <R> what a caller asks
 * @param <A> what it is answered
 */
final class BatchedCalls<R, A> {

    private final ConcurrentLinkedQueue<Pending<R, A>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger callsInFlight = new AtomicInteger();
    private final int maxCallsInFlight;
    private final int maxBatchWeight;
    private final ToIntFunction<R> weight;
    private final Executor executor;
    private final Function<List<R>, List<A>> call;

    /**
     * @param maxCallsInFlight calls out at once
     * @param maxBatchWeight   most weight in one call; a request heavier than this alone goes alone
     * @param weight           a request's weight (what the server's limit counts: requests, keys)
     * @param executor         where {@code call} runs (it blocks)
     * @param call             sends a batch and answers each request in order; throws when nothing was decided
     */
    BatchedCalls(int maxCallsInFlight, int maxBatchWeight, ToIntFunction<R> weight, Executor executor,
            Function<List<R>, List<A>> call) {
        if (maxCallsInFlight < 1 || maxBatchWeight < 1) {
            throw new IllegalArgumentException("at least one call of weight one, got " + maxCallsInFlight + " of " + maxBatchWeight);
        }
        this.maxCallsInFlight = maxCallsInFlight;
        this.maxBatchWeight = maxBatchWeight;
        this.weight = Objects.requireNonNull(weight, "weight");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.call = Objects.requireNonNull(call, "call");
    }

    /** Queues {@code request} for the next call; the stage completes with its answer, or the call's failure. */
    CompletionStage<A> submit(R request) {
        Pending<R, A> pending = new Pending<>(request, new CompletableFuture<>());
        queue.add(pending);
        sendWhileRoom();
        return pending.answer;
    }

    /**
     * Starts a call for what is queued while fewer than {@code maxCallsInFlight} are out. Every
     * submitter after adding to the queue, and every call when it ends, comes here: a queued request
     * is always picked up by one of them.
     */
    private void sendWhileRoom() {
        while (!queue.isEmpty()) {
            int calls = callsInFlight.get();
            if (calls >= maxCallsInFlight) {
                return;
            }
            if (!callsInFlight.compareAndSet(calls, calls + 1)) {
                continue;
            }
            List<Pending<R, A>> batch = nextBatch();
            if (batch.isEmpty()) {
                callsInFlight.decrementAndGet();
                continue;
            }
            try {
                executor.execute(() -> send(batch));
            } catch (RuntimeException rejected) { // an executor shutting down
                callsInFlight.decrementAndGet();
                batch.forEach(pending -> pending.answer.completeExceptionally(rejected));
            }
        }
    }

    // Formed under a lock, which only the (at most maxCallsInFlight) senders take, so that a request
    // looked at but too heavy for this batch stays first in the queue for the next.
    private List<Pending<R, A>> nextBatch() {
        synchronized (queue) {
            List<Pending<R, A>> batch = new ArrayList<>();
            int batchWeight = 0;
            for (Pending<R, A> next; (next = queue.peek()) != null; ) {
                int nextWeight = weight.applyAsInt(next.request);
                if (!batch.isEmpty() && batchWeight + nextWeight > maxBatchWeight) {
                    break;
                }
                batch.add(queue.poll());
                batchWeight += nextWeight;
            }
            return batch;
        }
    }

    private void send(List<Pending<R, A>> batch) {
        try {
            List<R> requests = new ArrayList<>(batch.size());
            batch.forEach(pending -> requests.add(pending.request));
            List<A> answers = call.apply(requests);
            if (answers.size() != batch.size()) {
                throw new IllegalStateException("the store answered " + answers.size() + " of " + batch.size() + " requests");
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).answer.complete(answers.get(i));
            }
        } catch (RuntimeException failure) {
            batch.forEach(pending -> pending.answer.completeExceptionally(failure));
        } finally {
            callsInFlight.decrementAndGet();
            sendWhileRoom();
        }
    }

    private record Pending<R, A>(R request, CompletableFuture<A> answer) {
    }
}
