package dev.sluice.ledger;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A day or an hour of the usage ledger, in the usage zone ({@code SLUICE_QUOTA_ZONE}): what a row's
 * {@code period} says ({@code 2026-12-05}, {@code 2026-12-05T14}) and what its counters' keys carry.
 */
public record Period(Granularity granularity, String label) {

    public enum Granularity { DAY, HOUR }

    private static final DateTimeFormatter HOUR_LABEL = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH");

    public Period {
        Objects.requireNonNull(granularity, "granularity");
        Objects.requireNonNull(label, "label");
    }

    public static Period dayOf(Instant at, ZoneId zone) {
        return new Period(Granularity.DAY, LocalDate.ofInstant(at, zone).toString());
    }

    public static Period hourOf(Instant at, ZoneId zone) {
        return new Period(Granularity.HOUR, LocalDateTime.ofInstant(at, zone).truncatedTo(ChronoUnit.HOURS).format(HOUR_LABEL));
    }

    /** Every period from the start of {@code from} to the end of {@code to}, in order. */
    public static List<Period> between(LocalDate from, LocalDate to, Granularity granularity) {
        List<Period> periods = new ArrayList<>();
        for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
            if (granularity == Granularity.DAY) {
                periods.add(new Period(Granularity.DAY, day.toString()));
            } else {
                for (int hour = 0; hour < 24; hour++) {
                    periods.add(new Period(Granularity.HOUR, day.atTime(hour, 0).format(HOUR_LABEL)));
                }
            }
        }
        return periods;
    }

    /** How the period appears in a counter's key: {@code d:2026-12-05}, {@code h:2026-12-05T14}. */
    String keyPart() {
        return (granularity == Granularity.DAY ? "d:" : "h:") + label;
    }
}
