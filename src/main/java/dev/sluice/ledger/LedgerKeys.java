package dev.sluice.ledger;

/**
 * The store keys of the usage ledger's counters, one place for their shape. Per key (its id), per
 * period: what it sent to each upstream, what Sluice refused it by each limit, and whether it was seen
 * at all (so that a query reads the rest only for keys that were).
 */
public final class LedgerKeys {

    /** The fields counted per key, upstream and period. */
    public static final String REQUESTS = "requests";
    public static final String PROMPT_TOKENS = "prompt_tokens";
    public static final String COMPLETION_TOKENS = "completion_tokens";

    private LedgerKeys() {
    }

    /** e.g. {@code usage:k:key_5f0c:u:primary:d:2026-12-05:requests} */
    public static String sent(String keyId, String upstream, Period period, String field) {
        return "usage:k:" + keyId + ":u:" + upstream + ":" + period.keyPart() + ":" + field;
    }

    /** e.g. {@code usage:k:key_5f0c:h:2026-12-05T14:refused:caller} */
    public static String refused(String keyId, Period period, String scope) {
        return "usage:k:" + keyId + ":" + period.keyPart() + ":refused:" + scope;
    }

    /** Above 0 once the key was counted in the period. */
    public static String seen(String keyId, Period period) {
        return "usage:k:" + keyId + ":" + period.keyPart() + ":seen";
    }
}
