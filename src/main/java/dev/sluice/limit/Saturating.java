package dev.sluice.limit;

/**
 * Long arithmetic that sticks at the ends instead of wrapping. A state read from a shared store may
 * come from a skewed or corrupted clock: saturating makes a bad value look like an empty bucket or a
 * used-up quota, never a full one.
 */
public final class Saturating {

    private Saturating() {
    }

    public static long add(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : sum;
    }

    /** For factors at least 0, as durations and token counts are. */
    public static long multiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long product = a * b;
        return (high == 0 && product >= 0) || (high == -1 && product < 0) ? product : (a < 0 ^ b < 0 ? Long.MIN_VALUE : Long.MAX_VALUE);
    }

    static long subtract(long a, long b) {
        long difference = a - b;
        return ((a ^ b) & (a ^ difference)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : difference;
    }
}
