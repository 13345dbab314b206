package dev.sluice.ledger;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a usage query asks for, checked: an optional key id and upstream, a range of days (both ends
 * included, in the usage zone) and a granularity.
 */
public record UsageQuery(Optional<String> key, Optional<String> upstream, LocalDate from, LocalDate to,
        Period.Granularity granularity) {

    /** Longest range of days by day: the daily counters' default retention and a little. */
    public static final int MOST_DAYS = 92;
    /** Longest range of days by hour: the hourly counters are kept 8 days. */
    public static final int MOST_DAYS_BY_HOUR = 7;

    /** A parameter that is wrong, and why. */
    public static final class Invalid extends IllegalArgumentException {
        private final String param;

        Invalid(String param, String message) {
            super(message);
            this.param = param;
        }

        public String param() {
            return param;
        }
    }

    /**
     * @param upstreams the configured upstreams, one of which {@code upstream} must be
     * @param today     today in the usage zone: the default for both ends
     * @throws Invalid naming the parameter that is wrong
     */
    public static UsageQuery parse(String key, String upstream, String from, String to, String granularity,
            Set<String> upstreams, LocalDate today) {
        Period.Granularity by = switch (granularity == null ? "day" : granularity.toLowerCase(Locale.ROOT)) {
            case "day" -> Period.Granularity.DAY;
            case "hour" -> Period.Granularity.HOUR;
            default -> throw new Invalid("granularity", "granularity must be day or hour.");
        };
        LocalDate start = date("from", from, today);
        LocalDate end = date("to", to, today);
        if (end.isBefore(start)) {
            throw new Invalid("to", "to must not be before from.");
        }
        int most = by == Period.Granularity.DAY ? MOST_DAYS : MOST_DAYS_BY_HOUR;
        if (ChronoUnit.DAYS.between(start, end) + 1 > most) {
            throw new Invalid("from", "At most " + most + " days " + (by == Period.Granularity.DAY ? "by day" : "by hour")
                    + " in one query.");
        }
        Optional<String> keyId = Optional.ofNullable(key).map(String::strip).filter(id -> !id.isEmpty());
        if (keyId.isPresent() && (keyId.get().length() > 128 || !keyId.get().matches("[A-Za-z0-9_-]+"))) {
            throw new Invalid("key", "key must be a key's id.");
        }
        Optional<String> upstreamName = Optional.ofNullable(upstream).map(String::strip).filter(name -> !name.isEmpty())
                .map(name -> name.toLowerCase(Locale.ROOT));
        if (upstreamName.isPresent() && !upstreams.contains(upstreamName.get())) {
            throw new Invalid("upstream", "No upstream is named " + upstreamName.get() + "; the upstreams are "
                    + String.join(", ", upstreams.stream().sorted().toList()) + ".");
        }
        return new UsageQuery(keyId, upstreamName, start, end, by);
    }

    private static LocalDate date(String param, String text, LocalDate today) {
        if (text == null || text.isBlank()) {
            return today;
        }
        try {
            return LocalDate.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new Invalid(param, param + " must be a date, YYYY-MM-DD.");
        }
    }

    public List<Period> periods() {
        return Period.between(from, to, granularity);
    }
}
