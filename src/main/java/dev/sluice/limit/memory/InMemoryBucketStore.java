package dev.sluice.limit.memory;

import dev.sluice.limit.Admission;
import dev.sluice.limit.AdmissionRequest;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketStore;
import dev.sluice.limit.CounterIncrement;
import dev.sluice.limit.LimitPolicy;
import dev.sluice.limit.Settlement;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Buckets in this JVM only: the embedded default, right for a single instance.
 *
 * <p>Each key has a cell with its own lock. A request locks all of its cells in key order (so two
 * requests sharing keys cannot deadlock), decides, writes, and unlocks: the decision sees no other
 * writer, which is what {@link BucketStore} requires. Each write also says how long the cell must be
 * kept ({@link LimitPolicy#retentionNanos}); cells past that are swept out now and then, so that one
 * entry per caller ever seen does not pile up.
 */
public final class InMemoryBucketStore implements BucketStore {

    /** How often, at most, the map is swept for cells nobody needs any more. */
    public static final long SWEEP_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    // A request whose cell was swept while it waited for the lock retries with a fresh cell. A sweep
    // runs at most once per interval, so more than a couple of retries means a bug, not bad luck.
    private static final int MAX_ATTEMPTS = 8;

    private final ConcurrentHashMap<String, Cell> cells = new ConcurrentHashMap<>();
    private final AtomicLong nextSweepNanos = new AtomicLong(Long.MIN_VALUE);

    @Override
    public CompletionStage<Admission> tryAcquire(AdmissionRequest request) {
        return CompletableFuture.completedFuture(acquire(request));
    }

    /** The synchronous form of {@link #tryAcquire}; this store never blocks on I/O. */
    public Admission acquire(AdmissionRequest request) {
        sweepIfDue(request.nowNanos());
        List<BucketCharge> charges = request.charges();
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Cell[] lockedCells = lockAll(charges.size(), index -> charges.get(index).key());
            if (lockedCells == null) {
                continue;
            }
            try {
                long[] states = new long[lockedCells.length];
                for (int i = 0; i < lockedCells.length; i++) {
                    states[i] = lockedCells[i].state;
                }
                AdmissionRequest.Decision decision = request.decide(states);
                if (decision.admitted()) {
                    for (int i = 0; i < lockedCells.length; i++) {
                        long state = decision.chargedStates()[i];
                        if (state != states[i]) { // a cooldown is read, never written
                            lockedCells[i].write(state, charges.get(i).policy().retentionNanos(state, request.nowNanos()),
                                    request.nowNanos());
                        }
                    }
                }
                return decision.admission();
            } finally {
                unlockAll(lockedCells);
            }
        }
        throw sweptTooOften(charges.stream().map(BucketCharge::key).toList());
    }

    @Override
    public CompletionStage<Void> settle(Settlement settlement) {
        apply(settlement);
        return CompletableFuture.completedFuture(null);
    }

    /** The synchronous form of {@link #settle}. */
    public void apply(Settlement settlement) {
        long now = settlement.nowNanos();
        sweepIfDue(now);
        List<String> keys = settlement.keys();
        int adjusted = settlement.adjustments().size();
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Cell[] lockedCells = lockAll(keys.size(), keys::get);
            if (lockedCells == null) {
                continue;
            }
            try {
                long[] states = new long[adjusted];
                for (int i = 0; i < adjusted; i++) {
                    states[i] = lockedCells[i].state;
                }
                long[] settled = settlement.settledStates(states);
                for (int i = 0; i < adjusted; i++) {
                    LimitPolicy policy = settlement.adjustments().get(i).policy();
                    lockedCells[i].write(settled[i], policy.retentionNanos(settled[i], now), now);
                }
                for (int i = adjusted; i < lockedCells.length; i++) {
                    CounterIncrement counter = settlement.counters().get(i - adjusted);
                    lockedCells[i].write(Settlement.incremented(lockedCells[i].state, counter.amount()),
                            counter.retentionNanos(), now);
                }
                return;
            } finally {
                unlockAll(lockedCells);
            }
        }
        throw sweptTooOften(keys);
    }

    @Override
    public CompletionStage<Map<String, Long>> counters(Collection<String> keys) {
        Map<String, Long> values = new HashMap<>();
        for (String key : keys) {
            Cell cell = cells.get(key);
            if (cell != null) {
                cell.lock();
                try {
                    if (!cell.swept && cell.state != LimitPolicy.MISSING) {
                        values.put(key, cell.state);
                    }
                } finally {
                    cell.unlock();
                }
            }
        }
        return CompletableFuture.completedFuture(values);
    }

    private interface KeyAt {
        String key(int index);
    }

    /** Locks the cells of {@code count} keys in key order; {@code null} if one was swept meanwhile (all unlocked). */
    private Cell[] lockAll(int count, KeyAt keys) {
        int[] lockOrder = new int[count];
        for (int i = 0; i < count; i++) { // insertion sort by key: a request has a handful of keys
            int j = i;
            while (j > 0 && keys.key(lockOrder[j - 1]).compareTo(keys.key(i)) > 0) {
                lockOrder[j] = lockOrder[j - 1];
                j--;
            }
            lockOrder[j] = i;
        }
        Cell[] lockedCells = new Cell[count];
        for (int locked = 0; locked < count; locked++) {
            int index = lockOrder[locked];
            Cell cell = cells.computeIfAbsent(keys.key(index), key -> new Cell());
            cell.lock();
            lockedCells[index] = cell;
            if (cell.swept) {
                for (int j = locked; j >= 0; j--) {
                    lockedCells[lockOrder[j]].unlock();
                }
                return null;
            }
        }
        return lockedCells;
    }

    private static void unlockAll(Cell[] lockedCells) {
        for (Cell cell : lockedCells) {
            cell.unlock();
        }
    }

    private static IllegalStateException sweptTooOften(List<String> keys) {
        return new IllegalStateException("keys " + keys + " were swept " + MAX_ATTEMPTS + " times while being locked");
    }

    private void sweepIfDue(long nowNanos) {
        long due = nextSweepNanos.get();
        if (nowNanos < due || !nextSweepNanos.compareAndSet(due, nowNanos + SWEEP_INTERVAL_NANOS)) {
            return;
        }
        // Another request may have read the clock a little earlier and still be on its way to a
        // cell; sweeping only cells that expired a whole interval ago leaves it no window in which
        // it would find a cell gone that it still needed.
        long sweepBeforeNanos = nowNanos - SWEEP_INTERVAL_NANOS;
        List<String> expired = new ArrayList<>();
        cells.forEach((key, cell) -> {
            if (cell.expiresAtNanos < sweepBeforeNanos) {
                expired.add(key);
            }
        });
        for (String key : expired) {
            Cell cell = cells.get(key);
            if (cell != null && cell.tryLock()) {
                try {
                    if (cell.expiresAtNanos < sweepBeforeNanos) {
                        cell.swept = true;
                        cells.remove(key, cell);
                    }
                } finally {
                    cell.unlock();
                }
            }
        }
    }

    /** Number of cells held; for tests and metrics. */
    public int size() {
        return cells.size();
    }

    @Override
    public String name() {
        return "memory";
    }

    private static final class Cell extends ReentrantLock {
        long state = LimitPolicy.MISSING;
        long expiresAtNanos = Long.MIN_VALUE;
        boolean swept;

        void write(long newState, long retentionNanos, long nowNanos) {
            state = newState;
            long expiresAt = nowNanos + retentionNanos;
            expiresAtNanos = expiresAt < nowNanos ? Long.MAX_VALUE : expiresAt; // saturate
        }
    }
}
