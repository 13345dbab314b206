package dev.sluice.ledger;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One row of the usage ledger: what one key did in one period on one upstream; the refusals, which
 * happen before any upstream is called, are in the key's row without an upstream.
 *
 * @param refusals by the scope that refused ({@code caller}, {@code caller-tokens}, ...), in scope order
 */
public record UsageRow(String period, String key, Optional<String> upstream, long requests, Map<String, Long> refusals,
        long promptTokens, long completionTokens) {

    public UsageRow {
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(upstream, "upstream");
        refusals = java.util.Collections.unmodifiableMap(new TreeMap<>(refusals));
    }

    public long refusalsInAll() {
        return refusals.values().stream().mapToLong(Long::longValue).sum();
    }
}
