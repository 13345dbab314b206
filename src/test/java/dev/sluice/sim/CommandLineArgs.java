package dev.sluice.sim;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Arguments of the form {@code --name=value}, read one setting at a time; a name that no setting
 * reads is an error, so a typo never passes silently.
 */
final class CommandLineArgs {

    private final Map<String, String> values = new LinkedHashMap<>();

    CommandLineArgs(String... args) {
        for (String arg : args) {
            int equals = arg.indexOf('=');
            if (!arg.startsWith("--") || equals < 3) {
                throw new IllegalArgumentException("expected --name=value, got: " + arg);
            }
            values.put(arg.substring(2, equals), arg.substring(equals + 1));
        }
    }

    String text(String name, String fallback) {
        String value = values.remove(name);
        return value == null ? fallback : value;
    }

    long whole(String name, long fallback) {
        String value = text(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, got: " + value);
        }
    }

    int integer(String name, int fallback) {
        long value = whole(name, fallback);
        if (value != (int) value) {
            throw new IllegalArgumentException("--" + name + " is too large: " + value);
        }
        return (int) value;
    }

    double decimal(String name, double fallback) {
        String value = text(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got: " + value);
        }
    }

    List<String> list(String name, List<String> fallback) {
        String value = text(name, null);
        return value == null ? fallback : Arrays.stream(value.split(",", -1)).map(String::trim).toList();
    }

    /** Fails on any argument that no setting has read. */
    void requireAllRead() {
        if (!values.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s): --" + String.join(", --", values.keySet())
                    + "\n" + SimulatorConfig.USAGE);
        }
    }
}
