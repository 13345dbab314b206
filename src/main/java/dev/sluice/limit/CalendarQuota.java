package dev.sluice.limit;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Objects;

/**
 * A quota per calendar day or month in a time zone: "100,000 tokens a day, from midnight UTC". Each
 * window becomes a {@link QuotaPolicy} under its own key suffix, e.g. {@code day:2026-11-28}.
 *
 * @param limit  tokens (or requests) allowed per window
 * @param period day or month
 * @param zone   where the calendar's midnights are
 */
public record CalendarQuota(long limit, Period period, ZoneId zone) {

    public enum Period { DAY, MONTH }

    /**
     * One window of the quota.
     *
     * @param keySuffix names the window in store keys, e.g. {@code day:2026-11-28} or {@code month:2026-11}
     * @param policy    the quota for that window
     */
    public record Window(String keySuffix, QuotaPolicy policy) {
    }

    public CalendarQuota {
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(zone, "zone");
        if (limit < 1) {
            throw new IllegalArgumentException("a quota needs a limit of at least 1, got " + limit);
        }
    }

    /** The window that {@code nowNanos} (wall-clock epoch nanoseconds) falls in. */
    public Window windowAt(long nowNanos) {
        LocalDate date = Instant.ofEpochSecond(Math.floorDiv(nowNanos, 1_000_000_000L)).atZone(zone).toLocalDate();
        return switch (period) {
            case DAY -> new Window("day:" + date, new QuotaPolicy(limit, epochNanos(date.plusDays(1).atStartOfDay(zone))));
            case MONTH -> {
                LocalDate first = date.withDayOfMonth(1);
                yield new Window("month:" + first.toString().substring(0, 7),
                        new QuotaPolicy(limit, epochNanos(first.plusMonths(1).atStartOfDay(zone))));
            }
        };
    }

    private static long epochNanos(ZonedDateTime time) {
        return Math.multiplyExact(time.toEpochSecond(), 1_000_000_000L);
    }
}
