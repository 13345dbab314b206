package dev.sluice.content;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One rule of a plan's deny file: text a request may not send.
 *
 * @param name    what logs and metrics call it (never the text it matched)
 * @param pattern compiled once, when Sluice starts; a quoted phrase is a literal, matched ignoring case
 */
public record DenyRule(String name, Pattern pattern) {

    public DenyRule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pattern, "pattern");
    }
}
