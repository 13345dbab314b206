package dev.sluice.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The problems found in a configuration, each naming its environment variable (and property), so
 * that a bad deployment fails at start-up with one message listing all of them. Each bound is written
 * once, where it is checked; the message is made from it.
 */
final class Problems {

    private final List<String> found = new ArrayList<>();

    /** {@code sluice.caller.rate} → {@code SLUICE_CALLER_RATE}. */
    static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** A problem as reported: the variable, the property, what is wrong. */
    static String describe(String property, String what) {
        return envName(property) + " (" + property + "): " + what;
    }

    void add(String property, String what) {
        found.add(describe(property, what));
    }

    /**
     * The value {@code conversion} makes; null, with its problem noted, when it throws an
     * {@link IllegalArgumentException} (a message that starts with {@code SLUICE_} already names its own variable).
     */
    <T> T check(String property, Supplier<T> conversion) {
        try {
            return conversion.get();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            found.add(message.startsWith("SLUICE_") ? message : describe(property, message));
            return null;
        }
    }

    /**
     * Whether a name given in variable names (an upstream's, a plan's, a key's) is letters and digits, at
     * most 63: an underscore could not tell where the name ends. Noted against {@code property} when not.
     *
     * @param lowerCase the name lower-cased, as Sluice uses it
     */
    boolean validName(String property, String given, String lowerCase) {
        if (lowerCase.matches("[a-z0-9]{1,63}")) {
            return true;
        }
        add(property, "the name '" + given + "' must be letters and digits (at most 63)");
        return false;
    }

    void atLeast(String property, long value, long min) {
        if (value < min) {
            add(property, "must be at least " + min + ", got " + value);
        }
    }

    /** @return whether the value is in range (reported when not) */
    boolean between(String property, long value, long min, long max) {
        if (value < min || value > max) {
            add(property, "must be between " + min + " and " + max + ", got " + value);
            return false;
        }
        return true;
    }

    void between(String property, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            add(property, "must be between " + min + " and " + max + ", got " + value);
        }
    }

    void positive(String property, Duration value) {
        if (value.isNegative() || value.isZero()) {
            add(property, "must be positive, got " + readable(value));
        }
    }

    void atLeast(String property, Duration value, Duration min) {
        if (value.compareTo(min) < 0) {
            add(property, "must be at least " + readable(min) + ", got " + readable(value));
        }
    }

    void between(String property, Duration value, Duration min, Duration max) {
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            add(property, "must be between " + readable(min) + " and " + readable(max) + ", got " + readable(value));
        }
    }

    /** A duration as the settings are written (2h, 30s, 250ms), so that a message reads like the variable it is about. */
    static String readable(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        if (duration.isNegative()) {
            return "-" + readable(duration.negated());
        }
        if (duration.toNanos() % 1_000_000 != 0) {
            return duration.toString();
        }
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** @throws InvalidConfigurationException listing every problem, when there is one */
    void throwIfAny() {
        if (!found.isEmpty()) {
            throw new InvalidConfigurationException(found);
        }
    }

    /** A value that must be at least 1, for conversions that throw: {@link #check} reports it. */
    static long positive(long value, String property) {
        if (value < 1) {
            throw new IllegalArgumentException(describe(property, "must be at least 1, got " + value));
        }
        return value;
    }
}
