package dev.sluice.usage;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.sluice.usage.OpenAiStream.DONE;
import static dev.sluice.usage.OpenAiStream.FINISH;
import static dev.sluice.usage.OpenAiStream.HELLO;
import static dev.sluice.usage.OpenAiStream.REPORTED;
import static dev.sluice.usage.OpenAiStream.ROLE;
import static dev.sluice.usage.OpenAiStream.USAGE;
import static dev.sluice.usage.OpenAiStream.WITH_USAGE;
import static dev.sluice.usage.OpenAiStream.withLineEnds;
import static org.assertj.core.api.Assertions.assertThat;

/** The byte-level work of the tap, chunk by chunk, without Mutiny. */
class SseEventScannerTest {

    /** What a scanner emits for {@code input} cut at {@code cuts}, all emissions concatenated. */
    private record Run(byte[] emitted, int emissions, TokenUsage usage) {
        String text() {
            return new String(emitted, StandardCharsets.UTF_8);
        }
    }

    private static Run run(byte[] input, boolean strip, int... cuts) {
        SseEventScanner scanner = new SseEventScanner(strip);
        Buffer emitted = Buffer.buffer();
        int emissions = 0;
        int from = 0;
        List<Integer> ends = new ArrayList<>();
        for (int cut : cuts) {
            ends.add(cut);
        }
        ends.add(input.length);
        for (int end : ends) {
            Buffer out = scanner.accept(Buffer.buffer().appendBytes(input, from, end - from));
            if (out != null) {
                emitted.appendBuffer(out);
                emissions++;
            }
            from = end;
        }
        Buffer tail = scanner.finish();
        if (tail != null) {
            emitted.appendBuffer(tail);
            emissions++;
        }
        return new Run(emitted.getBytes(), emissions, scanner.usage());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n", "\r"})
    void cutAtEveryByteTheUsageChunkAndOnlyItIsDropped(String lineEnd) {
        byte[] input = bytes(withLineEnds(WITH_USAGE, lineEnd));
        String expected = withLineEnds(WITH_USAGE.replace(USAGE, ""), lineEnd);

        for (int cut = 0; cut <= input.length; cut++) {
            Run stripped = run(input, true, cut);
            assertThat(stripped.text()).as("cut at %d", cut).isEqualTo(expected);
            assertThat(stripped.usage()).as("cut at %d", cut).isEqualTo(REPORTED);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n", "\r"})
    void cutAtEveryByteWithoutStrippingEveryBytePasses(String lineEnd) {
        byte[] input = bytes(withLineEnds(WITH_USAGE, lineEnd));

        for (int cut = 0; cut <= input.length; cut++) {
            Run kept = run(input, false, cut);
            assertThat(kept.emitted()).as("cut at %d", cut).isEqualTo(input);
            assertThat(kept.usage()).as("cut at %d", cut).isEqualTo(REPORTED);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n", "\r"})
    void oneByteAtATime(String lineEnd) {
        byte[] input = bytes(withLineEnds(WITH_USAGE, lineEnd));
        int[] everyByte = new int[input.length - 1];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = i + 1;
        }

        assertThat(run(input, true, everyByte).text()).isEqualTo(withLineEnds(WITH_USAGE.replace(USAGE, ""), lineEnd));
        assertThat(run(input, false, everyByte).emitted()).isEqualTo(input);
    }

    @Test
    void randomCutsInAMixOfLineEnds() {
        // LF, CRLF and CR mixed in one stream, as the spec allows
        String stream = ROLE.replace("\n", "\r\n") + HELLO.replace("\n", "\r") + ": ping\r\n\n"
                + USAGE.replace("\n\n", "\r\n\r") + FINISH + DONE.replace("\n", "\r");
        String expected = stream.replace(USAGE.replace("\n\n", "\r\n\r"), "");
        byte[] input = bytes(stream);
        Random random = new Random(42);

        for (int round = 0; round < 2_000; round++) {
            int[] cuts = random.ints(random.nextInt(12), 0, input.length + 1).sorted().toArray();
            Run stripped = run(input, true, cuts);
            assertThat(stripped.text()).as("cuts %s", java.util.Arrays.toString(cuts)).isEqualTo(expected);
            assertThat(stripped.usage()).isEqualTo(REPORTED);
        }
    }

    @Test
    void oneChunkOfSeveralEventsIsOneEmission() {
        Run stripped = run(bytes(WITH_USAGE), true);

        assertThat(stripped.emissions()).isEqualTo(1);
    }

    @Test
    void aChunkOfWholeEventsPassesAsTheSameBuffer() {
        SseEventScanner scanner = new SseEventScanner(true);
        Buffer chunk = Buffer.buffer(ROLE + HELLO);

        assertThat(scanner.accept(chunk)).isSameAs(chunk);
    }

    @Test
    void aChunkWithoutACompleteEventEmitsNothingYet() {
        SseEventScanner scanner = new SseEventScanner(true);

        assertThat(scanner.accept(Buffer.buffer(ROLE.substring(0, 40)))).isNull();
        assertThat(scanner.accept(Buffer.buffer(ROLE.substring(40) + HELLO.substring(0, 10))).toString())
                .isEqualTo(ROLE);
        assertThat(scanner.finish().toString()).isEqualTo(HELLO.substring(0, 10));
    }

    @Test
    void aStreamWithoutUsagePassesWhole() {
        String stream = ROLE + HELLO + FINISH + DONE;

        Run stripped = run(bytes(stream), true, 100, 101, 300);

        assertThat(stripped.text()).isEqualTo(stream);
        assertThat(stripped.usage()).isNull();
    }

    @Test
    void usageInAChunkWithChoicesIsReadButNotDropped() {
        // some servers put the usage on the finish chunk; it carries content, so it stays
        String finishWithUsage = FINISH.replace("\"usage\":null", "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":6}");
        String stream = ROLE + finishWithUsage + DONE;

        Run stripped = run(bytes(stream), true, 7);

        assertThat(stripped.text()).isEqualTo(stream);
        assertThat(stripped.usage()).isEqualTo(new TokenUsage(5, 6));
    }

    @Test
    void theLastUsageWins() {
        // vLLM's continuous usage stats: a running total in every chunk
        String first = HELLO.replace("\"usage\":null", "\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":1}");

        assertThat(run(bytes(ROLE + first + USAGE + DONE), true).usage()).isEqualTo(REPORTED);
    }

    @Test
    void dataOnSeveralLinesIsJoined() {
        String event = "event: message\nid: 7\ndata: {\"choices\":[],\ndata:\"usage\":\ndata: {\"prompt_tokens\":3,\"completion_tokens\":2}}\n\n";
        String stream = ROLE + event + DONE;

        Run stripped = run(bytes(stream), true, ROLE.length() + 30);

        assertThat(stripped.text()).isEqualTo(ROLE + DONE);
        assertThat(stripped.usage()).isEqualTo(new TokenUsage(3, 2));
    }

    @Test
    void aCommentLineInsideTheUsageEventGoesWithIt() {
        String event = ": usage follows\n" + USAGE;

        assertThat(run(bytes(ROLE + event + DONE), true).text()).isEqualTo(ROLE + DONE);
    }

    @Test
    void fieldsThatOnlyLookLikeDataAreIgnored() {
        String stream = "dataset: {\"choices\":[],\"usage\":{\"prompt_tokens\":1}}\n\n" + DONE;

        Run stripped = run(bytes(stream), true);

        assertThat(stripped.text()).isEqualTo(stream);
        assertThat(stripped.usage()).isNull();
    }

    @Test
    void aStreamEndingInsideTheUsageEventPassesItAsItIsButCountsIt() {
        // no blank line after the last event: clients drop it, but the upstream did spend the tokens
        String cut = USAGE.substring(0, USAGE.length() - 2);
        String stream = ROLE + cut;

        Run stripped = run(bytes(stream), true, ROLE.length() + 3);

        assertThat(stripped.text()).isEqualTo(stream);
        assertThat(stripped.usage()).isEqualTo(REPORTED);
    }

    @Test
    void garbageEventsPassAndCountNothing() {
        String stream = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":\n\ndata: not json \"usage\": {\n\n\n\n" + DONE;

        Run stripped = run(bytes(stream), true, 5);

        assertThat(stripped.text()).isEqualTo(stream);
        assertThat(stripped.usage()).isNull();
    }

    @Test
    void aLargeEventSplitIntoManyChunks() {
        String big = "data: {\"choices\":[{\"delta\":{\"content\":\"" + "x".repeat(100_000) + "\"}}],\"usage\":null}\n\n";
        byte[] input = bytes(big + USAGE + DONE);
        int[] cuts = new int[input.length / 1000];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = (i + 1) * 1000;
        }

        Run stripped = run(input, true, cuts);

        assertThat(stripped.text()).isEqualTo(big + DONE);
        assertThat(stripped.usage()).isEqualTo(REPORTED);
    }
}
