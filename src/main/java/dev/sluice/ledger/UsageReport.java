package dev.sluice.ledger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the usage ledger in two steps, both plain counter reads: which keys were seen in which periods
 * (one counter each), then every counter of those only, so that a query over many keys and days reads
 * little for keys that were idle.
 *
 * @param keyIds    the keys asked for
 * @param periods   the periods asked for, in order
 * @param upstreams the upstreams that may have rows (every configured one, or the one asked for)
 * @param scopes    every limit scope a refusal may name
 */
public record UsageReport(List<String> keyIds, List<Period> periods, List<String> upstreams, List<String> scopes) {

    public UsageReport {
        keyIds = List.copyOf(keyIds);
        periods = List.copyOf(periods);
        upstreams = List.copyOf(upstreams);
        scopes = List.copyOf(scopes);
    }

    /** A key seen in a period. */
    public record Seen(String keyId, Period period) {
    }

    /** The first read: a marker per key and period. */
    public List<String> seenKeys() {
        List<String> keys = new ArrayList<>(keyIds.size() * periods.size());
        for (Period period : periods) {
            for (String keyId : keyIds) {
                keys.add(LedgerKeys.seen(keyId, period));
            }
        }
        return keys;
    }

    /** Which keys the first read found, period by period. */
    public List<Seen> seen(Map<String, Long> markers) {
        List<Seen> seen = new ArrayList<>();
        for (Period period : periods) {
            for (String keyId : keyIds) {
                if (markers.getOrDefault(LedgerKeys.seen(keyId, period), 0L) > 0) {
                    seen.add(new Seen(keyId, period));
                }
            }
        }
        return seen;
    }

    /** The second read: every counter of the seen keys. */
    public List<String> detailKeys(List<Seen> seen) {
        List<String> keys = new ArrayList<>();
        for (Seen one : seen) {
            for (String upstream : upstreams) {
                for (String field : List.of(LedgerKeys.REQUESTS, LedgerKeys.PROMPT_TOKENS, LedgerKeys.COMPLETION_TOKENS)) {
                    keys.add(LedgerKeys.sent(one.keyId(), upstream, one.period(), field));
                }
            }
            for (String scope : scopes) {
                keys.add(LedgerKeys.refused(one.keyId(), one.period(), scope));
            }
        }
        return keys;
    }

    /**
     * The rows, period by period, key by key: one per upstream the key sent something to, and one without
     * an upstream for its refusals; rows of nothing are left out.
     *
     * @param withRefusals whether the refusals' rows belong (not when one upstream was asked for)
     */
    public List<UsageRow> rows(List<Seen> seen, Map<String, Long> values, boolean withRefusals) {
        List<UsageRow> rows = new ArrayList<>();
        for (Seen one : seen) {
            for (String upstream : upstreams) {
                long requests = values.getOrDefault(LedgerKeys.sent(one.keyId(), upstream, one.period(), LedgerKeys.REQUESTS), 0L);
                long prompt = values.getOrDefault(LedgerKeys.sent(one.keyId(), upstream, one.period(), LedgerKeys.PROMPT_TOKENS), 0L);
                long completion = values.getOrDefault(
                        LedgerKeys.sent(one.keyId(), upstream, one.period(), LedgerKeys.COMPLETION_TOKENS), 0L);
                if (requests + prompt + completion > 0) {
                    rows.add(new UsageRow(one.period().label(), one.keyId(), Optional.of(upstream), requests, Map.of(), prompt,
                            completion));
                }
            }
            if (withRefusals) {
                Map<String, Long> refusals = new LinkedHashMap<>();
                for (String scope : scopes) {
                    long refused = values.getOrDefault(LedgerKeys.refused(one.keyId(), one.period(), scope), 0L);
                    if (refused > 0) {
                        refusals.put(scope, refused);
                    }
                }
                if (!refusals.isEmpty()) {
                    rows.add(new UsageRow(one.period().label(), one.keyId(), Optional.empty(), 0, refusals, 0, 0));
                }
            }
        }
        return rows;
    }
}
