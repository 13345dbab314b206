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

    static long subtract(long a, long b) {
        long difference = a - b;
        return ((a ^ b) & (a ^ difference)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : difference;
    }
}
