package dev.sluice.upstream;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long an upstream asked to be left alone, read from its reply's headers: {@code retry-after-ms},
 * {@code retry-after} (seconds or an HTTP date), and, for a 429, the {@code x-ratelimit-reset-*} of
 * the limit it reports exhausted ({@code 6m0s}, {@code 20ms}, {@code 1.5s}, Go's duration format).
 * A retry never comes sooner than this.
 */
public final class RetryAdvice {

    private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|us|µs|ns|m|s)");
    /** Advice beyond this is treated as "not soon": no retry budget waits that long anyway. */
    private static final long MAX_ADVICE_MILLIS = TimeUnit.HOURS.toMillis(24);

    private RetryAdvice() {
    }

    /**
     * @param headers      the reply's headers, names in lower case
     * @param nowEpochMillis for an HTTP-date {@code retry-after}
     * @return the advised wait in milliseconds; empty when the reply gives none
     */
    public static OptionalLong advisedWaitMillis(Map<String, List<String>> headers, long nowEpochMillis) {
        OptionalLong millis = parseLong(first(headers, "retry-after-ms"));
        if (millis.isPresent()) {
            return clamp(millis.getAsLong());
        }
        String retryAfter = first(headers, "retry-after");
        if (retryAfter != null) {
            OptionalLong seconds = parseLong(retryAfter);
            if (seconds.isPresent()) {
                return clamp(TimeUnit.SECONDS.toMillis(seconds.getAsLong()));
            }
            try {
                long at = ZonedDateTime.parse(retryAfter.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
                return clamp(at - nowEpochMillis);
            } catch (DateTimeParseException ignored) {
                // neither form: look further
            }
        }
        long longest = -1;
        for (String unit : List.of("requests", "tokens")) {
            OptionalLong remaining = parseLong(first(headers, "x-ratelimit-remaining-" + unit));
            OptionalLong reset = goDurationMillis(first(headers, "x-ratelimit-reset-" + unit));
            if (reset.isPresent() && remaining.isPresent() && remaining.getAsLong() == 0) {
                longest = Math.max(longest, reset.getAsLong());
            }
        }
        return longest < 0 ? OptionalLong.empty() : clamp(longest);
    }

    /** The upstream's {@code x-ratelimit-limit-<unit>} (per minute at OpenAI), if it sent one. */
    public static OptionalLong limit(Map<String, List<String>> headers, String unit) {
        OptionalLong value = parseLong(first(headers, "x-ratelimit-limit-" + unit));
        return value.isPresent() && value.getAsLong() > 0 ? value : OptionalLong.empty();
    }

    /** The upstream's {@code x-ratelimit-remaining-<unit>} ({@code requests} or {@code tokens}), if it sent one. */
    public static OptionalLong remaining(Map<String, List<String>> headers, String unit) {
        OptionalLong value = parseLong(first(headers, "x-ratelimit-remaining-" + unit));
        return value.isPresent() && value.getAsLong() >= 0 ? value : OptionalLong.empty();
    }

    /**
     * Whether the upstream says its key has capacity left: it sent {@code x-ratelimit-remaining-requests}
     * or {@code -tokens}, and none it sent is zero.
     */
    public static boolean capacityLeft(Map<String, List<String>> headers) {
        OptionalLong requests = remaining(headers, "requests");
        OptionalLong tokens = remaining(headers, "tokens");
        return (requests.isPresent() || tokens.isPresent())
                && (requests.isEmpty() || requests.getAsLong() > 0) && (tokens.isEmpty() || tokens.getAsLong() > 0);
    }

    /** {@code 6m0s} → 360000; {@code 20ms} → 20; {@code 1.5s} → 1500; rounded up to the millisecond. */
    public static OptionalLong goDurationMillis(String text) {
        if (text == null || text.isBlank()) {
            return OptionalLong.empty();
        }
        String trimmed = text.strip().toLowerCase(Locale.ROOT);
        Matcher part = GO_DURATION_PART.matcher(trimmed);
        double nanos = 0;
        int end = 0;
        while (part.find()) {
            if (part.start() != end) {
                return OptionalLong.empty();
            }
            double value = Double.parseDouble(part.group(1));
            nanos += value * switch (part.group(2)) {
                case "h" -> 3.6e12;
                case "m" -> 6e10;
                case "s" -> 1e9;
                case "ms" -> 1e6;
                case "us", "µs" -> 1e3;
                default -> 1;
            };
            end = part.end();
        }
        if (end == 0 || end != trimmed.length()) {
            return OptionalLong.empty();
        }
        return clamp((long) Math.ceil(nanos / 1e6));
    }

    private static OptionalLong clamp(long millis) {
        return OptionalLong.of(Math.max(0, Math.min(millis, MAX_ADVICE_MILLIS)));
    }

    private static OptionalLong parseLong(String text) {
        if (text == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(text.strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static String first(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            if (header.getKey().equalsIgnoreCase(name) && !header.getValue().isEmpty()) {
                return header.getValue().get(0);
            }
        }
        return null;
    }
}
