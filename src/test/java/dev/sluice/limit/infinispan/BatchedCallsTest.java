package dev.sluice.limit.infinispan;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import static org.assertj.core.api.Assertions.assertThat;

class BatchedCallsTest {

    /** Runs nothing until told: the test decides when a call is made and when it ends. */
    private static final class HeldExecutor implements Executor {
        final Queue<Runnable> held = new ArrayDeque<>();

        @Override
        public void execute(Runnable call) {
            held.add(call);
        }

        void runNext() {
            held.remove().run();
        }
    }

    private final HeldExecutor executor = new HeldExecutor();
    private final List<List<String>> calls = new ArrayList<>();

    private BatchedCalls<String, Integer> batched(int maxCallsInFlight, int maxBatchWeight) {
        return new BatchedCalls<>(maxCallsInFlight, maxBatchWeight, String::length, executor, requests -> {
            calls.add(List.copyOf(requests));
            return requests.stream().map(String::length).toList();
        });
    }

    @Test
    void aLoneRequestGoesAtOnceAndWhatArrivesMeanwhileGoesTogether() {
        BatchedCalls<String, Integer> batched = batched(1, 100);

        CompletableFuture<Integer> first = batched.submit("a").toCompletableFuture();
        CompletableFuture<Integer> second = batched.submit("bb").toCompletableFuture();
        CompletableFuture<Integer> third = batched.submit("ccc").toCompletableFuture();
        assertThat(executor.held).hasSize(1); // one call out; the other two wait for it
        executor.runNext();
        executor.runNext();

        assertThat(calls).containsExactly(List.of("a"), List.of("bb", "ccc"));
        assertThat(first).isCompletedWithValue(1);
        assertThat(second).isCompletedWithValue(2);
        assertThat(third).isCompletedWithValue(3);
        assertThat(executor.held).isEmpty();
    }

    @Test
    void aBatchStopsBeforeItsWeightWouldPassTheLimitButAHeavyRequestStillGoesAlone() {
        BatchedCalls<String, Integer> batched = batched(1, 4);

        batched.submit("x"); // out at once
        batched.submit("aa");
        batched.submit("bb");
        batched.submit("c");
        batched.submit("heavyweight");
        while (!executor.held.isEmpty()) {
            executor.runNext();
        }

        assertThat(calls).containsExactly(List.of("x"), List.of("aa", "bb"), List.of("c"), List.of("heavyweight"));
    }

    @Test
    void aFailedCallFailsEveryRequestInItAndTheNextCallStillGoes() {
        List<String> seen = new ArrayList<>();
        BatchedCalls<String, Integer> batched = new BatchedCalls<>(1, 100, String::length, executor, requests -> {
            seen.addAll(requests);
            if (requests.contains("bad")) {
                throw new IllegalStateException("the store said no");
            }
            return requests.stream().map(String::length).toList();
        });

        CompletableFuture<Integer> lone = batched.submit("bad").toCompletableFuture();
        CompletableFuture<Integer> after = batched.submit("fine").toCompletableFuture();
        executor.runNext();
        executor.runNext();

        assertThat(lone).isCompletedExceptionally();
        assertThat(after).isCompletedWithValue(4);
        assertThat(seen).containsExactly("bad", "fine");
    }

    @Test
    void anAnswerOfTheWrongLengthFailsTheBatchInsteadOfAnsweringTheWrongRequest() {
        BatchedCalls<String, Integer> batched = new BatchedCalls<>(1, 100, String::length, executor, requests -> List.of(1));

        batched.submit("a");
        CompletableFuture<Integer> second = batched.submit("b").toCompletableFuture();
        CompletableFuture<Integer> third = batched.submit("c").toCompletableFuture();
        executor.runNext();
        executor.runNext();

        assertThat(second).isCompletedExceptionally();
        assertThat(third).isCompletedExceptionally();
    }

    @Test
    void anExecutorThatRefusesFailsTheRequestAndFreesItsCall() {
        boolean[] refusing = {true};
        Executor sometimes = call -> {
            if (refusing[0]) {
                throw new RejectedExecutionException("shutting down");
            }
            executor.execute(call);
        };
        BatchedCalls<String, Integer> batched = new BatchedCalls<>(1, 100, String::length, sometimes, requests -> List.of(7));

        assertThat(batched.submit("a").toCompletableFuture()).isCompletedExceptionally();
        refusing[0] = false;
        CompletableFuture<Integer> next = batched.submit("b").toCompletableFuture();
        executor.runNext();

        assertThat(next).isCompletedWithValue(7);
    }
}
