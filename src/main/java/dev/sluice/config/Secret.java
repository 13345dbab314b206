package dev.sluice.config;

import java.util.Objects;

/**
 * A key or a password from the configuration. Its {@link #toString()} never shows it, so that the
 * settings that hold one can be printed whole (their records' own {@code toString}) without leaking it.
 *
 * @param value what is sent where the secret is needed
 */
public record Secret(String value) {

    public Secret {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return "[secret]";
    }
}
