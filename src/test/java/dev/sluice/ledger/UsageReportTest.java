package dev.sluice.ledger;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UsageReportTest {

    private static final Period DAY_1 = new Period(Period.Granularity.DAY, "2026-12-04");
    private static final Period DAY_2 = new Period(Period.Granularity.DAY, "2026-12-05");

    @Test
    void periodsAreDaysAndHoursOfTheUsageZone() {
        Instant at = Instant.parse("2026-12-05T23:30:00Z");
        assertThat(Period.dayOf(at, ZoneId.of("UTC")).label()).isEqualTo("2026-12-05");
        assertThat(Period.dayOf(at, ZoneId.of("Europe/Paris")).label()).isEqualTo("2026-12-06");
        assertThat(Period.hourOf(at, ZoneId.of("Asia/Kolkata")).label()).isEqualTo("2026-12-06T05");
        assertThat(Period.between(LocalDate.parse("2026-12-04"), LocalDate.parse("2026-12-05"), Period.Granularity.HOUR))
                .hasSize(48).first().isEqualTo(new Period(Period.Granularity.HOUR, "2026-12-04T00"));
        assertThat(LedgerKeys.sent("key_1", "primary", DAY_2, LedgerKeys.REQUESTS)).isEqualTo("usage:k:key_1:u:primary:d:2026-12-05:requests");
    }

    @Test
    void readsTheCountersOfTheKeysSeenOnlyAndLeavesEmptyRowsOut() {
        UsageReport report = new UsageReport(List.of("key_a", "key_b"), List.of(DAY_1, DAY_2), List.of("primary", "backup"),
                List.of("caller", "caller-tokens"));
        assertThat(report.seenKeys()).hasSize(4);

        Map<String, Long> markers = Map.of(LedgerKeys.seen("key_a", DAY_2), 7L);
        List<UsageReport.Seen> seen = report.seen(markers);
        assertThat(seen).containsExactly(new UsageReport.Seen("key_a", DAY_2));
        assertThat(report.detailKeys(seen)).hasSize(2 * 3 + 2);

        Map<String, Long> values = new HashMap<>();
        values.put(LedgerKeys.sent("key_a", "primary", DAY_2, LedgerKeys.REQUESTS), 3L);
        values.put(LedgerKeys.sent("key_a", "primary", DAY_2, LedgerKeys.PROMPT_TOKENS), 30L);
        values.put(LedgerKeys.sent("key_a", "primary", DAY_2, LedgerKeys.COMPLETION_TOKENS), 12L);
        values.put(LedgerKeys.refused("key_a", DAY_2, "caller"), 2L);

        assertThat(report.rows(seen, values, true)).containsExactly(
                new UsageRow("2026-12-05", "key_a", Optional.of("primary"), 3, Map.of(), 30, 12),
                new UsageRow("2026-12-05", "key_a", Optional.empty(), 0, Map.of("caller", 2L), 0, 0));
        assertThat(report.rows(seen, values, false)).as("one upstream asked for: no refusals' row").hasSize(1);
    }

    @Test
    void aQueryIsCheckedParameterByParameter() {
        LocalDate today = LocalDate.parse("2026-12-05");
        Set<String> upstreams = Set.of("primary");
        UsageQuery plain = UsageQuery.parse(null, null, null, null, null, upstreams, today);
        assertThat(plain.periods()).containsExactly(DAY_2);
        assertThat(UsageQuery.parse("key_a", "PRIMARY", "2026-12-01", "2026-12-02", "hour", upstreams, today).periods()).hasSize(48);

        assertInvalid(() -> UsageQuery.parse(null, null, null, null, "week", upstreams, today), "granularity");
        assertInvalid(() -> UsageQuery.parse(null, null, "yesterday", null, null, upstreams, today), "from");
        assertInvalid(() -> UsageQuery.parse(null, null, "2026-12-05", "2026-12-01", null, upstreams, today), "to");
        assertInvalid(() -> UsageQuery.parse(null, null, "2026-11-01", "2026-12-05", "hour", upstreams, today), "from");
        assertInvalid(() -> UsageQuery.parse(null, null, "2025-01-01", "2026-12-05", "day", upstreams, today), "from");
        assertInvalid(() -> UsageQuery.parse("key a;drop", null, null, null, null, upstreams, today), "key");
        assertInvalid(() -> UsageQuery.parse(null, "elsewhere", null, null, null, upstreams, today), "upstream");
    }

    private static void assertInvalid(Runnable parse, String param) {
        assertThatThrownBy(parse::run).isInstanceOfSatisfying(UsageQuery.Invalid.class,
                invalid -> assertThat(invalid.param()).isEqualTo(param));
    }
}
