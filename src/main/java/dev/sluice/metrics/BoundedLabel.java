package dev.sluice.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A label whose values callers choose (the model a request names): the first {@code most} distinct
 * values seen keep their name, every later one is {@value #OTHER}, so that no caller can grow the
 * number of series without bound; a value longer than {@value #MAX_VALUE_CHARS} characters is
 * {@value #OTHER} too, so that none can grow one series' size either.
 */
public final class BoundedLabel {

    public static final String OTHER = "other";
    /** Longer than any model name the request path lets through. */
    public static final int MAX_VALUE_CHARS = 256;

    private final int most;
    private final Set<String> kept = ConcurrentHashMap.newKeySet();

    /** @param most distinct values kept, 0 for none (every value is {@value #OTHER}) */
    public BoundedLabel(int most) {
        if (most < 0) {
            throw new IllegalArgumentException("most must not be negative, got " + most);
        }
        this.most = most;
    }

    public String of(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_VALUE_CHARS) {
            return OTHER;
        }
        if (kept.contains(value)) {
            return value;
        }
        synchronized (kept) { // rare: only while the set fills, so that it never passes its bound
            if (kept.size() < most) {
                kept.add(value);
                return value;
            }
        }
        return OTHER;
    }
}
