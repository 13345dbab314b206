package dev.sluice.limit;

/**
 * At most {@code maxInFlight} requests at once, fleet-wide: an admitted request takes a slot, and
 * gives it back when it ends ({@link #release}). Nothing comes back with time alone
 * ({@link #freesWithTime}), except what a dead instance held: a slot is a lease on the lease period
 * ({@code leaseNanos}) it was taken in, which the instance that holds it renews in each later period
 * ({@link #renewal}); a slot nobody renews lapses when the period after its own ends, so the slots of
 * an instance that died (or froze) are free again within two lease periods.
 *
 * <p>This is not a bucket with a release: slots that refilled with time would let a third request in
 * beside two long ones. The state counts slots per period, in one long (so that it fits every store
 * as the other limits do): the number of the period it was last written in (its low 24 bits, enough to
 * tell the current period from the last two), the slots taken or renewed in that period, and those of
 * the period before, each up to {@value #MAX_SLOTS}.
 *
 * <p>A settlement's {@code deltaTokens} names the slots it moves and the period they were counted in:
 * negative for a release (see {@link #release}), positive for a renewal ({@link #renewal}). A slot is
 * counted where its instance's clock placed it; should the store's clock disagree near a period's
 * boundary, the next renewal counts it in the right place again, and a count left behind lapses with
 * its period.
 *
 * @param maxInFlight requests at once, 1 to {@value #MAX_SLOTS}
 * @param leaseNanos  the lease period, at least one millisecond
 */
public record ConcurrencyPolicy(long maxInFlight, long leaseNanos) implements LimitPolicy {

    /**
     * The lease period Sluice uses: an instance that dies holds its slots for 10 to 20 s more, and each
     * instance with requests in flight renews its slots a few times a period (one store call each time).
     */
    public static final long LEASE_NANOS = 10_000_000_000L;
    /** Most slots one period can count. */
    public static final int MAX_SLOTS = (1 << 20) - 1;
    /**
     * What a refusal gives as its retry-after: a slot frees when another request ends, which nobody
     * can tell in advance; a second is how long a typical short request takes.
     */
    public static final long RETRY_HINT_NANOS = 1_000_000_000L;
    private static final int COUNT_BITS = 20;
    private static final int PERIOD_BITS = 24;
    private static final long PERIOD_MASK = (1L << PERIOD_BITS) - 1;
    private static final long COUNT_MASK = MAX_SLOTS;

    /** At most {@code maxInFlight} requests at once, on Sluice's lease period. */
    public static ConcurrencyPolicy of(long maxInFlight) {
        return new ConcurrencyPolicy(maxInFlight, LEASE_NANOS);
    }

    public ConcurrencyPolicy {
        if (maxInFlight < 1 || maxInFlight > MAX_SLOTS) {
            throw new IllegalArgumentException("at most 1 to " + MAX_SLOTS + " requests in flight, got " + maxInFlight);
        }
        if (leaseNanos < 1_000_000L) {
            throw new IllegalArgumentException("a lease period is at least 1 ms, got " + leaseNanos + " ns");
        }
    }

    /** The lease period {@code nowNanos} is in, as slots are counted: what {@link #release} and {@link #renewal} name. */
    public long periodAt(long nowNanos) {
        return Math.floorDiv(nowNanos, leaseNanos) & PERIOD_MASK;
    }

    /** A settlement's delta that gives back {@code slots} slots counted in {@code period}. */
    public static long release(long period, int slots) {
        return -encode(period, slots);
    }

    /** A settlement's delta that moves {@code slots} slots counted in {@code period} to the current period. */
    public static long renewal(long period, int slots) {
        return encode(period, slots);
    }

    private static long encode(long period, int slots) {
        if (slots < 1 || slots > MAX_SLOTS) {
            throw new IllegalArgumentException("1 to " + MAX_SLOTS + " slots at once, got " + slots);
        }
        return ((period & PERIOD_MASK) << COUNT_BITS) | slots;
    }

    @Override
    public long capacity() {
        return maxInFlight;
    }

    @Override
    public boolean freesWithTime() {
        return false;
    }

    /** Requests in flight in this state at {@code nowNanos}. */
    public long inFlight(long state, long nowNanos) {
        Slots slots = Slots.of(state, periodAt(nowNanos));
        return slots.current + slots.previous;
    }

    @Override
    public long waitNanos(long state, long tokens, long nowNanos) {
        if (tokens > maxInFlight) {
            return BucketPolicy.NEVER;
        }
        return inFlight(state, nowNanos) <= maxInFlight - tokens ? 0 : RETRY_HINT_NANOS;
    }

    @Override
    public long chargedState(long state, long tokens, long atNanos) {
        Slots slots = Slots.of(state, periodAt(atNanos));
        return new Slots(slots.period, Math.min(COUNT_MASK, slots.current + tokens), slots.previous).state();
    }

    @Override
    public long settledState(long state, long deltaTokens, long nowNanos) {
        long now = periodAt(nowNanos);
        Slots slots = Slots.of(state, now);
        long encoded = Math.abs(deltaTokens);
        long period = (encoded >>> COUNT_BITS) & PERIOD_MASK;
        long count = encoded & COUNT_MASK;
        long age = (slots.period - period) & PERIOD_MASK;
        long current = slots.current;
        long previous = slots.previous;
        if (deltaTokens < 0) { // a release: from the period the slots are counted in; a lapsed one is gone already
            if (age == 0) {
                current -= Math.min(current, count);
            } else if (age == 1) {
                previous -= Math.min(previous, count);
            }
        } else if (age >= 1 && age < PERIOD_MASK / 2) { // a renewal of slots still counted before, or lapsed
            if (age == 1) {
                previous -= Math.min(previous, count);
            }
            current = Math.min(COUNT_MASK, current + count);
        }
        return new Slots(slots.period, current, previous).state();
    }

    @Override
    public long cappedState(long state, long availableAtMost, long nowNanos) {
        return state; // no upstream reports a caller's requests in flight
    }

    @Override
    public BucketSnapshot snapshot(long state, long nowNanos) {
        long inFlight = inFlight(state, nowNanos);
        return new BucketSnapshot(maxInFlight, Math.max(0, maxInFlight - inFlight), inFlight == 0 ? 0 : RETRY_HINT_NANOS);
    }

    /** Until every slot counted would lapse unrenewed: the end of the period after the current one. */
    @Override
    public long retentionNanos(long state, long nowNanos) {
        if (inFlight(state, nowNanos) == 0) {
            return 0;
        }
        long periodStart = Math.floorDiv(nowNanos, leaseNanos) * leaseNanos;
        return Saturating.add(periodStart, 2 * leaseNanos) - nowNanos;
    }

    @Override
    public ConcurrencyPolicy scaledTo(double share) {
        return new ConcurrencyPolicy(Math.max(1, (long) (maxInFlight * share)), leaseNanos);
    }

    /** A state read as of period {@code now}: rolled forward when a period or more has passed since it was written. */
    private record Slots(long period, long current, long previous) {

        static Slots of(long state, long now) {
            if (state == MISSING) {
                return new Slots(now, 0, 0);
            }
            long period = (state >>> (2 * COUNT_BITS)) & PERIOD_MASK;
            long current = (state >>> COUNT_BITS) & COUNT_MASK;
            long previous = state & COUNT_MASK;
            long age = (now - period) & PERIOD_MASK;
            if (age == 0 || age > PERIOD_MASK / 2) {
                // this period, or written by a clock a little ahead of ours: taken as it is
                return new Slots(period, current, previous);
            }
            return age == 1 ? new Slots(now, 0, current) : new Slots(now, 0, 0);
        }

        long state() {
            return (period << (2 * COUNT_BITS)) | (current << COUNT_BITS) | previous;
        }
    }
}
