package dev.sluice.limit;

import org.junit.jupiter.api.Test;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class QuotaPolicyTest {

    private static final long S = TimeUnit.SECONDS.toNanos(1);

    private static long nanos(String zonedDateTime) {
        return ZonedDateTime.parse(zonedDateTime).toEpochSecond() * S;
    }

    @Test
    void aDayEndsAtTheNextMidnightOfItsZone() {
        CalendarQuota daily = new CalendarQuota(100, CalendarQuota.Period.DAY, ZoneId.of("UTC"));

        CalendarQuota.Window window = daily.windowAt(nanos("2026-11-28T23:59:59Z"));

        assertThat(window.keySuffix()).isEqualTo("day:2026-11-28");
        assertThat(window.policy()).isEqualTo(new QuotaPolicy(100, nanos("2026-11-29T00:00:00Z")));
        assertThat(daily.windowAt(nanos("2026-11-29T00:00:00Z")).keySuffix()).isEqualTo("day:2026-11-29");
    }

    @Test
    void aMonthEndsAtTheFirstOfTheNextMonthInItsZone() {
        CalendarQuota monthly = new CalendarQuota(100, CalendarQuota.Period.MONTH, ZoneId.of("Europe/Paris"));

        // 23:30 UTC on 31 December is already January in Paris
        CalendarQuota.Window window = monthly.windowAt(nanos("2026-12-31T23:30:00Z"));

        assertThat(window.keySuffix()).isEqualTo("month:2027-01");
        assertThat(window.policy().windowEndNanos()).isEqualTo(nanos("2027-02-01T00:00:00+01:00"));
    }

    @Test
    void aQuotaAdmitsUntilItsLimitThenWaitsForTheWindowsEnd() {
        QuotaPolicy quota = new QuotaPolicy(10, 100 * S);
        long used = quota.chargedState(LimitPolicy.MISSING, 7, 0);

        assertThat(used).isEqualTo(7);
        assertThat(quota.waitNanos(used, 3, 40 * S)).isZero();
        assertThat(quota.waitNanos(used, 4, 40 * S)).isEqualTo(60 * S);
        assertThat(quota.waitNanos(used, 11, 40 * S)).isEqualTo(BucketPolicy.NEVER);
        assertThat(quota.snapshot(used, 40 * S)).isEqualTo(new BucketSnapshot(10, 3, 60 * S));
        assertThat(quota.snapshot(LimitPolicy.MISSING, 40 * S)).isEqualTo(new BucketSnapshot(10, 10, 0));
    }

    @Test
    void aSettlementNeverGoesBelowNothingOrBeyondOneWindowOfDebt() {
        QuotaPolicy quota = new QuotaPolicy(10, 100 * S);

        assertThat(quota.settledState(7, -3, 0)).isEqualTo(4);
        assertThat(quota.settledState(7, -30, 0)).isZero();
        assertThat(quota.settledState(7, 1_000, 0)).isEqualTo(20);
        assertThat(quota.settledState(LimitPolicy.MISSING, 5, 0)).isEqualTo(5);
        assertThat(new QuotaPolicy(Long.MAX_VALUE, 1).settledState(Long.MAX_VALUE - 1, 5, 0)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aQuotaIsKeptUntilItsWindowEndsAndAMarginAfter() {
        QuotaPolicy quota = new QuotaPolicy(10, 100 * S);

        assertThat(quota.retentionNanos(3, 40 * S)).isEqualTo(60 * S + QuotaPolicy.RETENTION_MARGIN_NANOS);
        assertThat(quota.scaledTo(0.25)).isEqualTo(new QuotaPolicy(2, 100 * S));
    }
}
