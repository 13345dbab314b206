package dev.sluice.limit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A shared store with a policy for when it cannot be reached: refuse every request with
 * {@link StoreUnavailableException} (closed), or decide with this instance's own buckets at a share of
 * each limit (open), since the other instances are doing the same.
 *
 * <p>Only a store that cannot be reached ({@link StoreUnreachableException}) switches the failure
 * mode on; it is then left alone for {@code retryIntervalNanos}, after which one request at a time
 * tries it again, and the first success brings everything back to it. The listener hears each
 * transition once. A store that answers with an error (e.g. a lock it could not get in time under a
 * burst) fails that one request the same way, without a transition.
 *
 * <p>A store that answers but lacks what Sluice needs ({@link StoreMisconfiguredException}: its cache,
 * its server tasks) is down the same way, and checked again at the same interval, but refuses in
 * either mode: local buckets are for riding out an outage, not for running without the fleet's
 * limits until someone notices.
 *
 * <p>In open mode, the rate buckets change hands empty both ways. What the fleet spent just before
 * the outage is in the store, out of reach, and what it spent during the outage is in every instance,
 * out of the store's reach; a bucket handed over full would let a burst through that the upstream has
 * already been sent. So the first time a key is decided alone in an outage, its local bucket is
 * emptied first, and when the store answers again, the shared buckets this instance decided alone
 * are emptied there by the request that tries it again, before it is admitted there
 * ({@link BucketPolicy} keys only: quotas and cooldowns keep their state). Either way the bucket
 * admits at its rate at once, only its burst is lost; a restarted server that lost every bucket would
 * otherwise hand out a whole burst on top of what the upstream has just accepted (the outage scenario
 * measured up to 13 upstream 429s at the return, 5 at the start).
 */
public final class FailoverBucketStore implements BucketStore {

    public enum Mode { CLOSED, OPEN }

    /** Hears the shared store go down, be found misconfigured, and come back: once each time it changes. */
    public interface Listener {
        void unavailable(String store, Mode mode, Throwable cause);

        /** @param missing what the store lacks ({@link StoreMisconfiguredException#getMessage()}) */
        void misconfigured(String store, String missing);

        void available(String store);
    }

    private enum State { UP, UNREACHABLE, MISCONFIGURED }

    /**
     * The most rate buckets one outage hands over empty: every upstream key's and the busiest callers'.
     * Beyond it keys are handed over as they are, so that a long outage with many callers cannot grow
     * the map or the settlement at the return without bound.
     */
    static final int MAX_KEYS_DECIDED_ALONE = 10_000;
    /** Keys per settlement when handing back: one server-task call locks each batch's keys. */
    private static final int HAND_BACK_BATCH = AdmissionCodec.MAX_CHARGES;

    private final BucketStore shared;
    private final BucketStore local;
    private final Mode mode;
    private final double localShare;
    private final long retryIntervalNanos;
    private final Listener listener;
    private final AtomicReference<State> state = new AtomicReference<>(State.UP);
    private final AtomicReference<StoreMisconfiguredException> misconfiguration = new AtomicReference<>();
    private final AtomicLong nextTryNanos = new AtomicLong(Long.MIN_VALUE);
    /** Open mode: the rate buckets decided alone since the store last answered, with their shared policies. */
    private final ConcurrentMap<String, LimitPolicy> decidedAlone = new ConcurrentHashMap<>();

    /**
     * @param localShare each limit's share this instance uses on its own when open, in (0, 1]
     */
    public FailoverBucketStore(BucketStore shared, BucketStore local, Mode mode, double localShare,
            long retryIntervalNanos, Listener listener) {
        this.shared = Objects.requireNonNull(shared, "shared");
        this.local = Objects.requireNonNull(local, "local");
        this.mode = Objects.requireNonNull(mode, "mode");
        if (!(localShare > 0 && localShare <= 1)) {
            throw new IllegalArgumentException("the local share must be in (0, 1], got " + localShare);
        }
        this.localShare = localShare;
        if (retryIntervalNanos < 0) {
            throw new IllegalArgumentException("the retry interval must not be negative");
        }
        this.retryIntervalNanos = retryIntervalNanos;
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public CompletionStage<Admission> tryAcquire(AdmissionRequest request) {
        long now = request.nowNanos();
        if (state.get() != State.UP) {
            long due = nextTryNanos.get();
            // While down, only the one request that wins this race tries the shared store again.
            if (now < due || !nextTryNanos.compareAndSet(due, now + retryIntervalNanos)) {
                return unavailable(request, misconfiguration.get());
            }
        }
        // The request that tries the store again first hands back what was decided alone, and only
        // then is admitted there: no one is admitted from a bucket the store lost in the meantime.
        // While the store is up (every request but those), it is asked straight away.
        CompletionStage<Admission> asked = state.get() == State.UP ? shared.tryAcquire(request)
                : handBack(now).exceptionallyCompose(failure -> stillAway(failure) ? CompletableFuture.failedFuture(failure)
                                // answered with an error: the store is there, and a hand-back is not worth keeping it away
                                : CompletableFuture.completedFuture(null))
                        .thenCompose(ignored -> shared.tryAcquire(request));
        return asked.handle((admission, failure) -> {
            if (failure == null) {
                if (state.getAndSet(State.UP) != State.UP) {
                    misconfiguration.set(null);
                    decidedAlone.clear();
                    listener.available(shared.name());
                }
                return CompletableFuture.completedFuture(admission);
            }
            Throwable cause = unwrapped(failure);
            if (cause instanceof StoreMisconfiguredException missing) {
                StoreMisconfiguredException before = misconfiguration.getAndSet(missing);
                boolean wasMisconfigured = state.getAndSet(State.MISCONFIGURED) == State.MISCONFIGURED;
                if (!wasMisconfigured) {
                    nextTryNanos.set(now + retryIntervalNanos);
                }
                if (!wasMisconfigured || before == null || !before.getMessage().equals(missing.getMessage())) {
                    listener.misconfigured(shared.name(), missing.getMessage()); // new, or lacking something else now
                }
            } else if (cause instanceof StoreUnreachableException && state.getAndSet(State.UNREACHABLE) != State.UNREACHABLE) {
                misconfiguration.set(null);
                nextTryNanos.set(now + retryIntervalNanos);
                listener.unavailable(shared.name(), mode, cause);
            }
            return unavailable(request, cause);
        }).thenCompose(stage -> stage);
    }

    /** Whether the shared store answered the last time it was asked. */
    public boolean sharedAvailable() {
        return state.get() == State.UP;
    }

    /** What the shared store lacked the last time it was asked, if that was why it failed. */
    public Optional<String> misconfiguration() {
        StoreMisconfiguredException missing = misconfiguration.get();
        return state.get() == State.MISCONFIGURED && missing != null ? Optional.of(missing.getMessage()) : Optional.empty();
    }

    public Mode mode() {
        return mode;
    }

    private CompletionStage<Admission> unavailable(AdmissionRequest request, Throwable cause) {
        if (mode == Mode.CLOSED || cause instanceof StoreMisconfiguredException) {
            return CompletableFuture.failedFuture(new StoreUnavailableException(
                    "The shared " + shared.name() + " store is unavailable.", cause, untilNextTry(request.nowNanos())));
        }
        AdmissionRequest alone = localShareOf(request);
        List<BucketAdjustment> emptied = new ArrayList<>();
        for (int i = 0; i < request.charges().size(); i++) {
            BucketCharge charge = request.charges().get(i);
            if (charge.policy() instanceof BucketPolicy && decidedAlone.size() < MAX_KEYS_DECIDED_ALONE
                    && decidedAlone.putIfAbsent(charge.key(), charge.policy()) == null) {
                emptied.add(BucketAdjustment.capAt(charge.key(), alone.charges().get(i).policy(), 0));
            }
        }
        if (emptied.isEmpty()) {
            return local.tryAcquire(alone);
        }
        return local.settle(new Settlement(emptied, List.of(), request.nowNanos()))
                .thenCompose(emptiedFirst -> local.tryAcquire(alone));
    }

    /**
     * Empties in the shared store the rate buckets decided alone during the outage, in batches (one
     * server-task call locks each batch's keys). Fails as the store fails; when it is still away the
     * keys stay to be handed back at the next try.
     */
    private CompletionStage<Void> handBack(long nowNanos) {
        List<BucketAdjustment> all = new ArrayList<>(decidedAlone.size());
        decidedAlone.forEach((key, policy) -> all.add(BucketAdjustment.capAt(key, policy, 0)));
        CompletableFuture<?>[] batches = new CompletableFuture<?>[(all.size() + HAND_BACK_BATCH - 1) / HAND_BACK_BATCH];
        for (int i = 0; i < batches.length; i++) {
            List<BucketAdjustment> batch = all.subList(i * HAND_BACK_BATCH, Math.min(all.size(), (i + 1) * HAND_BACK_BATCH));
            batches[i] = shared.settle(new Settlement(List.copyOf(batch), List.of(), nowNanos)).toCompletableFuture();
        }
        return CompletableFuture.allOf(batches);
    }

    /** While the store is down, the time until one request tries it again; 0 while it is up. */
    private long untilNextTry(long nowNanos) {
        return state.get() == State.UP ? 0 : Math.max(0, nextTryNanos.get() - nowNanos);
    }

    private static boolean stillAway(Throwable failure) {
        Throwable cause = unwrapped(failure);
        return cause instanceof StoreUnreachableException || cause instanceof StoreMisconfiguredException;
    }

    /** The store's own failure, out of the {@link java.util.concurrent.CompletionException} a later stage wraps it in. */
    private static Throwable unwrapped(Throwable failure) {
        return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
    }

    /** The same request against limits a share of the size and rate of the shared ones (at least 1). */
    AdmissionRequest localShareOf(AdmissionRequest request) {
        List<BucketCharge> charges = new ArrayList<>(request.charges().size());
        for (BucketCharge charge : request.charges()) {
            LimitPolicy policy = charge.policy().scaledTo(localShare);
            // A charge larger than the smaller limit could never pass; while degraded, it may
            // take the whole limit instead of being refused for good.
            charges.add(new BucketCharge(charge.key(), policy, Math.min(charge.tokens(), policy.capacity())));
        }
        return new AdmissionRequest(charges, request.nowNanos(), request.maxWaitNanos());
    }

    /**
     * To the shared store while it is up. While it is down, corrections go to the local buckets in
     * open mode (that is where the reservations were made) and counters are kept locally; in closed
     * mode nothing was reserved locally, and the settlement fails like the store.
     */
    @Override
    public CompletionStage<Void> settle(Settlement settlement) {
        if (state.get() == State.UP) {
            return shared.settle(settlement);
        }
        if (mode == Mode.CLOSED) {
            return CompletableFuture.failedFuture(new StoreUnavailableException(
                    "The shared " + shared.name() + " store is unavailable.", null, untilNextTry(settlement.nowNanos())));
        }
        List<BucketAdjustment> adjustments = new ArrayList<>(settlement.adjustments().size());
        for (BucketAdjustment adjustment : settlement.adjustments()) {
            long amount = adjustment.cap() ? (long) (adjustment.deltaTokens() * localShare) : adjustment.deltaTokens();
            adjustments.add(new BucketAdjustment(adjustment.key(), adjustment.policy().scaledTo(localShare), amount,
                    adjustment.cap()));
        }
        return local.settle(new Settlement(adjustments, settlement.counters(), settlement.nowNanos()));
    }

    @Override
    public CompletionStage<Map<String, Long>> counters(Collection<String> keys) {
        return shared.counters(keys);
    }

    @Override
    public String name() {
        return shared.name();
    }
}
