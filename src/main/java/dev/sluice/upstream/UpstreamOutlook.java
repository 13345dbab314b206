package dev.sluice.upstream;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What this instance last learned about one upstream's capacity: how full its shared buckets were
 * after the last admission against them, until when they refused, which models it has paused, and
 * whether its circuit breaker is open. Every admission reads the shared buckets anyway, so the
 * outlook costs no round trip; it may lag behind other instances' use, and a wrong guess costs one
 * refused admission, after which the next upstream is tried. Time is passed in.
 */
public final class UpstreamOutlook {

    /** Paused models remembered; beyond that the oldest knowledge is dropped (callers choose model names). */
    private static final int MAX_COOLING_MODELS = 1024;

    private volatile double requestsLeft = 1.0;
    private volatile double tokensLeft = 1.0;
    private volatile long refusedUntilNanos = Long.MIN_VALUE;
    private volatile long breakerOpenUntilNanos = Long.MIN_VALUE;
    /** Past this, an open breaker whose half-open event never came is taken as half-open anyway. */
    private volatile long breakerOpenAtMostUntilNanos = Long.MIN_VALUE;
    private volatile boolean breakerHalfOpen;
    /** In half-open, the one request that probes; the breaker refuses the others (success threshold 1). */
    private final AtomicBoolean probeClaimed = new AtomicBoolean();
    private final ConcurrentHashMap<String, Pause> pauses = new ConcurrentHashMap<>();

    /** A model paused from {@code sinceNanos} (the refused attempt's sending, or when this instance heard) until {@code untilNanos}. */
    private record Pause(long sinceNanos, long untilNanos) {
        Pause longest(Pause other) {
            return other.untilNanos > untilNanos ? other : this;
        }
    }

    /**
     * An admission against its buckets succeeded and left this much.
     *
     * @param requestsLeft share of its requests bucket left, in [0, 1]; 1 when it has none; negative
     *                     when the admission did not charge it (what was known stays)
     * @param tokensLeft   the same for its tokens bucket
     */
    public void admitted(double requestsLeft, double tokensLeft) {
        if (requestsLeft >= 0) {
            this.requestsLeft = requestsLeft;
        }
        if (tokensLeft >= 0) {
            this.tokensLeft = tokensLeft;
        }
        this.refusedUntilNanos = Long.MIN_VALUE;
    }

    /** Its buckets refused an admission; they have capacity again at {@code untilNanos}. */
    public void refusedUntil(long untilNanos) {
        requestsLeft = 0;
        refusedUntilNanos = untilNanos;
    }

    /** The models it has paused now, with how long each pause has left, in nanoseconds. */
    public Map<String, Long> coolingModels(long nowNanos) {
        Map<String, Long> cooling = new TreeMap<>();
        pauses.forEach((model, pause) -> {
            if (pause.untilNanos > nowNanos) {
                cooling.put(model, pause.untilNanos - nowNanos);
            }
        });
        return cooling;
    }

    /** The share of its requests bucket left after the last admission here, in [0, 1]. */
    public double requestsShareLeft() {
        return requestsLeft;
    }

    /** The share of its tokens bucket left after the last admission here, in [0, 1]. */
    public double tokensShareLeft() {
        return tokensLeft;
    }

    /**
     * The upstream paused {@code model} until {@code untilNanos} (a 429, here or on another instance).
     *
     * @param sinceNanos when the attempt it refused was sent, or when this instance heard of the pause
     */
    public void coolingUntil(String model, long sinceNanos, long untilNanos) {
        if (pauses.size() >= MAX_COOLING_MODELS) {
            pauses.clear();
        }
        pauses.merge(model, new Pause(sinceNanos, untilNanos), Pause::longest);
    }

    /** Whether a pause of {@code model} is known here (ended or not): one map lookup, for every reply. */
    public boolean knowsPauseOf(String model) {
        return pauses.containsKey(model);
    }

    /**
     * An attempt sent at {@code sentAtNanos} was served with capacity to spare: a pause of
     * {@code model} known here that began before it was sent is over early. Replies to attempts sent
     * before the pause say nothing of the key since, so they lift nothing.
     *
     * @return whether a pause was lifted (the fleet should hear of it)
     */
    public boolean resumedBy(String model, long sentAtNanos, long nowNanos) {
        Pause pause = pauses.get(model);
        return pause != null && pause.untilNanos > nowNanos && pause.sinceNanos < sentAtNanos && pauses.remove(model, pause);
    }

    /**
     * Its breaker opened; it lets a probe through at {@code untilNanos}. Until the breaker says it is
     * half-open (its own timer, at about that time), the upstream counts as refusing: before that
     * event, every request sent there but the probe would meet the open breaker. Should the event
     * never come, the refusal ends one more delay later.
     */
    public void breakerOpenUntil(long untilNanos, long delayNanos) {
        breakerHalfOpen = false;
        breakerOpenUntilNanos = untilNanos;
        breakerOpenAtMostUntilNanos = untilNanos > Long.MAX_VALUE - delayNanos ? Long.MAX_VALUE : untilNanos + delayNanos;
    }

    /** Its breaker lets one probe through now. */
    public void breakerHalfOpen() {
        probeClaimed.set(false);
        breakerOpenUntilNanos = Long.MIN_VALUE;
        breakerOpenAtMostUntilNanos = Long.MIN_VALUE;
        breakerHalfOpen = true;
    }

    public void breakerClosed() {
        breakerHalfOpen = false;
        breakerOpenUntilNanos = Long.MIN_VALUE;
        breakerOpenAtMostUntilNanos = Long.MIN_VALUE;
    }

    /**
     * Whether its breaker would refuse a call now: open, or half-open with its probe already taken.
     * Such an upstream is not worth an admission while another one could take the request.
     */
    public boolean breakerRefuses(long nowNanos) {
        return breakerOpenAtMostUntilNanos > nowNanos || (breakerHalfOpen && probeClaimed.get());
    }

    /**
     * How long until its open breaker lets a probe through, for a caller told to come back then; 0
     * when it is not open (or its probe is due).
     */
    public long breakerOpenForNanos(long nowNanos) {
        long until = breakerOpenUntilNanos;
        return until == Long.MIN_VALUE ? 0 : Math.max(0, until - nowNanos);
    }

    /** A request admitted to it takes the half-open breaker's one probe, if that is where the breaker is. */
    public void claimProbe() {
        if (breakerHalfOpen) {
            probeClaimed.set(true);
        }
    }

    /** When it can next be expected to take a request for {@code model}; at or before {@code nowNanos} means now. */
    public long availableAtNanos(String model, long nowNanos) {
        long at = Math.max(refusedUntilNanos, breakerOpenUntilNanos);
        Pause pause = pauses.get(model);
        if (pause != null) {
            if (pause.untilNanos <= nowNanos) {
                pauses.remove(model, pause);
            } else {
                at = Math.max(at, pause.untilNanos);
            }
        }
        return at;
    }

    /** The share of capacity it had left when last seen: the fuller of its two buckets' shortfalls. */
    public double capacityLeft() {
        return Math.min(requestsLeft, tokensLeft);
    }

    @Override
    public String toString() {
        return "UpstreamOutlook[left=" + capacityLeft() + "]";
    }
}
