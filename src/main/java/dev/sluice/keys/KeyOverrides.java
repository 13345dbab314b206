package dev.sluice.keys;

import dev.sluice.config.Plan;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.CalendarQuota;
import dev.sluice.limit.ConcurrencyPolicy;
import dev.sluice.limit.Rate;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One key's own values for some of its plan's limits; what is empty is the plan's.
 *
 * @param rate            requests refill rate
 * @param burst           requests bucket size
 * @param tpm             tokens per minute
 * @param maxConcurrent   requests in flight at once, fleet-wide, up to {@link Plan#MAX_CONCURRENT}
 * @param dailyRequests   requests per calendar day
 * @param dailyTokens     tokens per calendar day
 * @param monthlyRequests requests per calendar month
 * @param monthlyTokens   tokens per calendar month
 */
public record KeyOverrides(Optional<Rate> rate, OptionalLong burst, OptionalLong tpm, OptionalLong maxConcurrent, OptionalLong dailyRequests, OptionalLong dailyTokens, OptionalLong monthlyRequests, OptionalLong monthlyTokens) {

    public static final KeyOverrides NONE = new KeyOverrides(Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
            OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());

    public KeyOverrides {
        for (OptionalLong value : List.of(burst, tpm, maxConcurrent, dailyRequests, dailyTokens, monthlyRequests, monthlyTokens)) {
            if (value.isPresent() && value.getAsLong() < 1) {
                throw new IllegalArgumentException("a limit must be at least 1, got " + value.getAsLong());
            }
        }
        if (maxConcurrent.isPresent() && maxConcurrent.getAsLong() > Plan.MAX_CONCURRENT) {
            throw new IllegalArgumentException("at most " + Plan.MAX_CONCURRENT + " requests in flight, got " + maxConcurrent.getAsLong());
        }
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    /**
     * The plan with these values in force.
     *
     * @param zone the quota zone, for quotas the plan does not have
     */
    public Plan applyTo(Plan plan, ZoneId zone) {
        if (isEmpty()) {
            return plan;
        }
        BucketPolicy requests = new BucketPolicy(burst.orElse(plan.requests().capacity()), rate.orElse(plan.requests().refillRate()));
        Optional<BucketPolicy> tokens = tpm.isPresent()
                ? Optional.of(new BucketPolicy(tpm.getAsLong(), Rate.perMinute(tpm.getAsLong()))) : plan.tokens();
        Optional<ConcurrencyPolicy> concurrency = maxConcurrent.isPresent()
                ? Optional.of(ConcurrencyPolicy.of(maxConcurrent.getAsLong())) : plan.concurrency();
        List<Plan.Quota> quotas = new ArrayList<>();
        quota(quotas, plan, dailyRequests, false, CalendarQuota.Period.DAY, zone);
        quota(quotas, plan, dailyTokens, true, CalendarQuota.Period.DAY, zone);
        quota(quotas, plan, monthlyRequests, false, CalendarQuota.Period.MONTH, zone);
        quota(quotas, plan, monthlyTokens, true, CalendarQuota.Period.MONTH, zone);
        return new Plan(plan.name(), requests, tokens, concurrency, quotas, plan.models(), plan.upstreams(), plan.paths(), plan.guards());
    }

    private static void quota(List<Plan.Quota> quotas, Plan plan, OptionalLong override, boolean countsTokens,
            CalendarQuota.Period period, ZoneId zone) {
        if (override.isPresent()) {
            quotas.add(new Plan.Quota(countsTokens, new CalendarQuota(override.getAsLong(), period, zone)));
            return;
        }
        plan.quotas().stream().filter(quota -> quota.countsTokens() == countsTokens && quota.quota().period() == period)
                .findFirst().ifPresent(quotas::add);
    }
}
