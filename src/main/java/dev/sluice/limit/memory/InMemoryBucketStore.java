package dev.sluice.limit.memory;

import dev.sluice.limit.Admission;
import dev.sluice.limit.AdmissionRequest;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketStore;

import java.util.List;
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
 * writer, which is what {@link BucketStore} requires. Cells of full buckets are swept out now and
 * then so that one entry per caller ever seen does not pile up.
 */
public final class InMemoryBucketStore implements BucketStore {

    /** How often, at most, the map is swept for full buckets. */
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
            Cell[] lockedCells = lockAll(charges);
            if (lockedCells == null) {
                continue;
            }
            try {
                long[] tatNanos = new long[lockedCells.length];
                for (int i = 0; i < lockedCells.length; i++) {
                    tatNanos[i] = lockedCells[i].tatNanos;
                }
                AdmissionRequest.Decision decision = request.decide(tatNanos);
                if (decision.admitted()) {
                    for (int i = 0; i < lockedCells.length; i++) {
                        lockedCells[i].tatNanos = decision.chargedTatNanos()[i];
                    }
                }
                return decision.admission();
            } finally {
                for (Cell cell : lockedCells) {
                    cell.unlock();
                }
            }
        }
        throw new IllegalStateException("buckets " + charges.stream().map(BucketCharge::key).toList()
                + " were swept " + MAX_ATTEMPTS + " times while being acquired");
    }

    /** Locks the cells of all charges in key order; {@code null} if one was swept meanwhile (all unlocked). */
    private Cell[] lockAll(List<BucketCharge> charges) {
        int[] lockOrder = new int[charges.size()];
        for (int i = 0; i < lockOrder.length; i++) { // insertion sort by key: a request has a handful of charges
            int j = i;
            while (j > 0 && charges.get(lockOrder[j - 1]).key().compareTo(charges.get(i).key()) > 0) {
                lockOrder[j] = lockOrder[j - 1];
                j--;
            }
            lockOrder[j] = i;
        }
        Cell[] lockedCells = new Cell[charges.size()];
        for (int locked = 0; locked < lockOrder.length; locked++) {
            int index = lockOrder[locked];
            Cell cell = cells.computeIfAbsent(charges.get(index).key(), key -> new Cell());
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

    private void sweepIfDue(long nowNanos) {
        long due = nextSweepNanos.get();
        if (nowNanos < due || !nextSweepNanos.compareAndSet(due, nowNanos + SWEEP_INTERVAL_NANOS)) {
            return;
        }
        // A bucket is full once its TAT has passed, but another request may have read the clock a
        // little earlier and still be on its way to this cell; sweeping only buckets that have been
        // full for a whole interval leaves it no window in which it would see a full bucket wrongly.
        long sweepBeforeNanos = nowNanos - SWEEP_INTERVAL_NANOS;
        cells.forEach((key, cell) -> {
            if (cell.tryLock()) {
                try {
                    if (cell.tatNanos < sweepBeforeNanos) {
                        cell.swept = true;
                        cells.remove(key, cell);
                    }
                } finally {
                    cell.unlock();
                }
            }
        });
    }

    /** Number of buckets held; for tests and metrics. */
    public int size() {
        return cells.size();
    }

    @Override
    public String name() {
        return "memory";
    }

    private static final class Cell extends ReentrantLock {
        long tatNanos = Long.MIN_VALUE; // full
        boolean swept;
    }
}
