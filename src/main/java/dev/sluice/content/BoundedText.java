package dev.sluice.content;

/**
 * Text a regular expression reads through a count: every character the matcher looks at is one step, and
 * past the budget the match is stopped with {@link OutOfSteps}. {@code java.util.regex} reads its input
 * only through {@link CharSequence#charAt}, so this bounds a catastrophic backtrack too.
 */
final class BoundedText implements CharSequence {

    /** Thrown from inside the matcher when the budget is spent; no stack trace, it is an answer. */
    static final class OutOfSteps extends RuntimeException {
        OutOfSteps() {
            super("the pattern needed too many steps", null, false, false);
        }
    }

    private final String text;
    private final int start;
    private final int end;
    private final long[] stepsLeft;

    BoundedText(String text, long steps) {
        this(text, 0, text.length(), new long[] {steps});
    }

    private BoundedText(String text, int start, int end, long[] stepsLeft) {
        this.text = text;
        this.start = start;
        this.end = end;
        this.stepsLeft = stepsLeft;
    }

    @Override
    public char charAt(int index) {
        if (--stepsLeft[0] < 0) {
            throw new OutOfSteps();
        }
        return text.charAt(start + index);
    }

    @Override
    public int length() {
        return end - start;
    }

    @Override
    public CharSequence subSequence(int from, int to) {
        return new BoundedText(text, start + from, start + to, stepsLeft); // the same budget
    }

    @Override
    public String toString() {
        return text.substring(start, end);
    }
}
