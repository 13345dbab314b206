package dev.sluice.limit;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A refill rate: {@code tokens} every {@code periodNanos}.
 *
 * @param tokens      tokens added per period, at least 1
 * @param periodNanos length of the period in nanoseconds, at least 1
 */
public record Rate(long tokens, long periodNanos) {

    public Rate {
        if (tokens < 1) {
            throw new IllegalArgumentException("a rate needs at least 1 token per period, got " + tokens);
        }
        if (periodNanos < 1) {
            throw new IllegalArgumentException("a rate period must be positive, got " + periodNanos + " ns");
        }
        if (tokens > periodNanos) {
            // One token per nanosecond is the finest interval the bucket arithmetic can represent.
            throw new IllegalArgumentException("a rate above 1 token per nanosecond cannot be enforced, got "
                    + tokens + " per " + periodNanos + " ns");
        }
    }

    public static Rate perSecond(long tokens) {
        return new Rate(tokens, TimeUnit.SECONDS.toNanos(1));
    }

    public static Rate perMinute(long tokens) {
        return new Rate(tokens, TimeUnit.MINUTES.toNanos(1));
    }

    public static Rate perHour(long tokens) {
        return new Rate(tokens, TimeUnit.HOURS.toNanos(1));
    }

    /**
     * Parses {@code N/s}, {@code N/m} or {@code N/h} (also {@code N/sec}, {@code N/min}, {@code N/hour}).
     *
     * @throws IllegalArgumentException saying what was wrong with the text
     */
    public static Rate parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a rate is required, as N/s, N/m or N/h");
        }
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        if (slash < 1) {
            throw new IllegalArgumentException("'" + text + "' is not a rate; expected N/s, N/m or N/h, e.g. 5/s");
        }
        long tokens;
        try {
            tokens = Long.parseLong(trimmed.substring(0, slash).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a rate; N must be a whole number, e.g. 5/s");
        }
        if (tokens < 1) {
            throw new IllegalArgumentException("'" + text + "' is not a rate; N must be at least 1");
        }
        String unit = trimmed.substring(slash + 1).trim().toLowerCase(Locale.ROOT);
        return switch (unit) {
            case "s", "sec", "second" -> perSecond(tokens);
            case "m", "min", "minute" -> perMinute(tokens);
            case "h", "hour" -> perHour(tokens);
            default -> throw new IllegalArgumentException(
                    "'" + text + "' has an unknown unit '" + unit + "'; expected s, m or h");
        };
    }

    /**
     * Nanoseconds between two tokens, rounded up: rounding up can only make the bucket slightly
     * stricter than configured (by less than one nanosecond per token), never looser.
     */
    public long emissionIntervalNanos() {
        return periodNanos / tokens + (periodNanos % tokens == 0 ? 0 : 1);
    }

    @Override
    public String toString() {
        if (periodNanos == TimeUnit.SECONDS.toNanos(1)) {
            return tokens + "/s";
        }
        if (periodNanos == TimeUnit.MINUTES.toNanos(1)) {
            return tokens + "/m";
        }
        if (periodNanos == TimeUnit.HOURS.toNanos(1)) {
            return tokens + "/h";
        }
        return tokens + "/" + periodNanos + "ns";
    }
}
