package dev.sluice.usage;

import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.sluice.usage.OpenAiStream.DONE;
import static dev.sluice.usage.OpenAiStream.FINISH;
import static dev.sluice.usage.OpenAiStream.HELLO;
import static dev.sluice.usage.OpenAiStream.REPORTED;
import static dev.sluice.usage.OpenAiStream.ROLE;
import static dev.sluice.usage.OpenAiStream.USAGE;
import static dev.sluice.usage.OpenAiStream.WITH_USAGE;
import static org.assertj.core.api.Assertions.assertThat;

class StreamUsageTapTest {

    /** What onEnd was told, call by call. */
    private record Ending(TokenUsage usage, Termination termination) {
    }

    private final List<Ending> endings = new ArrayList<>();

    private StreamUsageTap tap(boolean stripUsageChunk) {
        return new StreamUsageTap(stripUsageChunk, (usage, termination) -> endings.add(new Ending(usage, termination)));
    }

    private static String joined(List<Buffer> items) {
        Buffer all = Buffer.buffer();
        items.forEach(all::appendBuffer);
        return all.toString();
    }

    @Test
    void aCompleteStreamLosesItsUsageChunkAndReportsTheUsage() {
        TestChunkSource source = TestChunkSource.completing(ROLE, HELLO.substring(0, 50), HELLO.substring(50) + FINISH,
                USAGE, DONE);

        AssertSubscriber<Buffer> caller = tap(true).watch(source.multi()).subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));

        caller.assertCompleted();
        assertThat(joined(caller.getItems())).isEqualTo(ROLE + HELLO + FINISH + DONE);
        assertThat(caller.getItems()).hasSize(3); // ROLE, HELLO + FINISH, DONE; the half chunk and USAGE emit nothing
        assertThat(endings).containsExactly(new Ending(REPORTED, Termination.COMPLETED));
    }

    @Test
    void withoutStrippingEveryBytePasses() {
        TestChunkSource source = TestChunkSource.completing(WITH_USAGE.substring(0, 333), WITH_USAGE.substring(333));

        AssertSubscriber<Buffer> caller = tap(false).watch(source.multi()).subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));

        caller.assertCompleted();
        assertThat(joined(caller.getItems())).isEqualTo(WITH_USAGE);
        assertThat(endings).containsExactly(new Ending(REPORTED, Termination.COMPLETED));
    }

    @Test
    void aResponsesStreamPassesWholeAndReportsTheUsageOfItsLastEvent() {
        String stream = String.join("", ResponsesStream.EVENTS);
        TestChunkSource source = TestChunkSource.completing(stream.substring(0, 100), stream.substring(100, 777), stream.substring(777));

        AssertSubscriber<Buffer> caller = tap(false).watch(source.multi()).subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));

        caller.assertCompleted();
        assertThat(joined(caller.getItems())).isEqualTo(stream);
        assertThat(endings).containsExactly(new Ending(ResponsesStream.REPORTED, Termination.COMPLETED));
    }

    @Test
    void aResponsesStreamCutBeforeItsLastEventReportsNoUsage() {
        TestChunkSource source = TestChunkSource.failingAfter(new IOException("reset"), ResponsesStream.CREATED,
                ResponsesStream.DELTA_HI);

        tap(false).watch(source.multi()).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));

        assertThat(endings).containsExactly(new Ending(null, Termination.FAILED));
    }

    @Test
    void noUsageIsReportedAsNull() {
        TestChunkSource source = TestChunkSource.completing(ROLE, FINISH, DONE);

        tap(true).watch(source.multi()).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE))
                .assertCompleted();

        assertThat(endings).containsExactly(new Ending(null, Termination.COMPLETED));
    }

    @Test
    void demandKeepsFlowingThroughChunksThatCompleteNoEvent() {
        TestChunkSource source = TestChunkSource.byteByByte(ROLE + HELLO);

        AssertSubscriber<Buffer> caller = tap(true).watch(source.multi()).subscribe()
                .withSubscriber(AssertSubscriber.create(1));

        // one request from the caller pulled byte after byte until the first event was whole, and no further
        assertThat(caller.getItems()).hasSize(1);
        assertThat(caller.getItems().get(0).toString()).isEqualTo(ROLE);
        assertThat(source.requested.get()).isEqualTo(ROLE.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        caller.assertNotTerminated();

        caller.request(1);

        assertThat(joined(caller.getItems())).isEqualTo(ROLE + HELLO);
    }

    @Test
    void aCallerWhoHangsUpCancelsTheUpstreamAndTheUsageSeenIsReported() {
        TestChunkSource source = TestChunkSource.completing(ROLE, USAGE, DONE);
        AssertSubscriber<Buffer> caller = tap(false).watch(source.multi()).subscribe()
                .withSubscriber(AssertSubscriber.create(2));

        caller.cancel();

        assertThat(source.cancelled).isTrue();
        assertThat(endings).containsExactly(new Ending(REPORTED, Termination.CANCELLED));
    }

    @Test
    void cancellingBeforeAnyUsageReportsNull() {
        TestChunkSource source = TestChunkSource.completing(ROLE, HELLO, USAGE, DONE);
        AssertSubscriber<Buffer> caller = tap(true).watch(source.multi()).subscribe()
                .withSubscriber(AssertSubscriber.create(1));

        caller.cancel();

        assertThat(source.cancelled).isTrue();
        assertThat(endings).containsExactly(new Ending(null, Termination.CANCELLED));
    }

    @Test
    void anUpstreamThatBreaksOffFailsTheStreamAndIsReported() {
        IOException reset = new IOException("Connection reset");
        TestChunkSource source = TestChunkSource.failingAfter(reset, ROLE, HELLO.substring(0, 20));

        AssertSubscriber<Buffer> caller = tap(true).watch(source.multi()).subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));

        caller.assertFailedWith(IOException.class, "Connection reset");
        assertThat(joined(caller.getItems())).isEqualTo(ROLE); // the half event is not passed on
        assertThat(endings).containsExactly(new Ending(null, Termination.FAILED));
    }

    @Test
    void aFailureAfterTheUsageChunkStillReportsTheUsage() {
        TestChunkSource source = TestChunkSource.failingAfter(new IOException("idle timeout"), ROLE, USAGE);

        tap(true).watch(source.multi()).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE))
                .assertFailedWith(IOException.class);

        assertThat(endings).containsExactly(new Ending(REPORTED, Termination.FAILED));
    }

    @Test
    void onEndRunsOnceEvenWhenTheCallerCancelsAfterTheEnd() {
        TestChunkSource source = TestChunkSource.completing(ROLE, DONE);
        AssertSubscriber<Buffer> caller = tap(true).watch(source.multi()).subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));

        caller.cancel();

        assertThat(endings).containsExactly(new Ending(null, Termination.COMPLETED));
    }

    @Test
    void eachSubscriptionHasItsOwnState() {
        StreamUsageTap tap = tap(true);
        TestChunkSource source = TestChunkSource.completing(ROLE, USAGE.substring(0, 30), USAGE.substring(30), DONE);
        var tapped = tap.watch(source.multi());

        AssertSubscriber<Buffer> first = tapped.subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        AssertSubscriber<Buffer> second = tapped.subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));

        assertThat(joined(first.getItems())).isEqualTo(ROLE + DONE);
        assertThat(joined(second.getItems())).isEqualTo(ROLE + DONE);
        assertThat(endings).containsExactly(new Ending(REPORTED, Termination.COMPLETED),
                new Ending(REPORTED, Termination.COMPLETED));
    }

    @Test
    void theHeldTailIsPassedOnAtTheEnd() {
        String unterminated = "data: {\"choices\":[]}";
        TestChunkSource source = TestChunkSource.completing(ROLE + unterminated);

        AssertSubscriber<Buffer> caller = tap(true).watch(source.multi()).subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));

        caller.assertCompleted();
        assertThat(caller.getItems()).extracting(Buffer::toString).containsExactly(ROLE, unterminated);
    }
}
