package dev.sluice.upstream;

import dev.sluice.usage.AttemptCost;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AttemptHistoryTest {

    private static final UpstreamReply LIMITED = UpstreamReply.whole(429, Map.of(), Buffer.buffer("{}"));

    private static AttemptHistory.Failed replied(String upstream) {
        return new AttemptHistory.Failed(upstream, Optional.of(LIMITED), Optional.empty(), false, 1000, false, true);
    }

    private static AttemptHistory.Failed notAnswered(String upstream, UpstreamFailure.Kind kind) {
        UpstreamFailure failure = switch (kind) {
            case CIRCUIT_OPEN, BUSY -> UpstreamFailure.notCalled(kind, "not called", null, 0);
            case TIMEOUT, UNREACHABLE -> new UpstreamFailure(kind, "no answer", null, true);
        };
        return new AttemptHistory.Failed(upstream, Optional.empty(), Optional.of(failure), false, 0, true, true);
    }

    @Test
    void eachFailedAttemptMakesALongerHistoryAndLeavesTheOldOneAsItWas() {
        AttemptHistory none = AttemptHistory.startingAt(5);
        AttemptHistory one = none.with(replied("a"));
        AttemptHistory two = one.with(notAnswered("b", UpstreamFailure.Kind.TIMEOUT));

        assertThat(none.failed()).isEmpty();
        assertThat(none.nextAttempt()).isEqualTo(1);
        assertThat(one.failed()).hasSize(1);
        assertThat(two.nextAttempt()).isEqualTo(3);
        assertThat(two.failedUpstreams()).containsExactlyInAnyOrder("a", "b");
        assertThat(two.spentNanos(105)).isEqualTo(100);
        assertThatThrownBy(none::last).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theCallerGetsTheLastAnswerOfAnUpstreamThatWasCalled() {
        AttemptHistory history = AttemptHistory.startingAt(0).with(replied("a"))
                .with(notAnswered("b", UpstreamFailure.Kind.CIRCUIT_OPEN));

        assertThat(history.toRelay().reply()).as("a 429 says more than 'breaker open'").contains(LIMITED);
        AttemptHistory neverCalled = AttemptHistory.startingAt(0).with(notAnswered("b", UpstreamFailure.Kind.BUSY));
        assertThat(neverCalled.toRelay()).isSameAs(neverCalled.last());
    }

    @Test
    void whatAnAttemptCostItsUpstream() {
        assertThat(replied("a").cost()).isEqualTo(AttemptCost.FAILED);
        assertThat(notAnswered("a", UpstreamFailure.Kind.TIMEOUT).cost()).isEqualTo(AttemptCost.UNKNOWN);
        assertThat(notAnswered("a", UpstreamFailure.Kind.CIRCUIT_OPEN).cost()).isEqualTo(AttemptCost.NOT_SENT);
        assertThat(notAnswered("a", UpstreamFailure.Kind.CIRCUIT_OPEN).called()).isFalse();
        assertThat(notAnswered("a", UpstreamFailure.Kind.UNREACHABLE).called()).isTrue();
    }

    @Test
    void anAttemptHasAReplyOrAFailureNeverBothOrNone() {
        assertThatThrownBy(() -> new AttemptHistory.Failed("a", Optional.empty(), Optional.empty(), false, 0, false, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AttemptHistory.Failed("a", Optional.of(LIMITED),
                Optional.of(new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, "x", null, true)), false, 0, false, false))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
