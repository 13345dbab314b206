package dev.sluice.admission;

/** The limits a request passes, as callers are told about them in refusals and logs. */
public enum LimitScope {
    /** Each caller's own requests bucket. */
    CALLER("caller", "caller", "requests"),
    /** Each caller's requests in flight at once (its plan's max concurrent), fleet-wide. */
    CALLER_CONCURRENCY("caller-concurrency", "caller's requests in flight", "requests"),
    /** Each client address's requests bucket (off unless SLUICE_CLIENT_IP_RATE is set). */
    CLIENT_IP("client-ip", "client IP", "requests"),
    /** Each caller's tokens per minute (its plan's TPM), counted by what requests really use. */
    CALLER_TOKENS("caller-tokens", "caller's tokens per minute", "tokens"),
    /** How often each caller may send one and the same request (its plan's duplicate rate). */
    DUPLICATE("duplicate", "same request", "requests"),
    /** The upstream key's requests-per-minute bucket, shared by all callers. */
    UPSTREAM_KEY("upstream-requests", "upstream key", "requests"),
    /** A pause the upstream asked for with a 429, per model, shared by the fleet. */
    UPSTREAM_COOLDOWN("upstream-cooldown", "upstream cooldown", "requests"),
    /** The upstream key's tokens-per-minute bucket, shared by all callers. */
    UPSTREAM_TOKENS("upstream-tokens", "upstream key", "tokens"),
    CALLER_DAILY_REQUESTS("caller-daily-requests", "daily request quota", "requests"),
    CALLER_DAILY_TOKENS("caller-daily-tokens", "daily token quota", "tokens"),
    CALLER_MONTHLY_REQUESTS("caller-monthly-requests", "monthly request quota", "requests"),
    CALLER_MONTHLY_TOKENS("caller-monthly-tokens", "monthly token quota", "tokens");

    private final String id;
    private final String label;
    private final String unit;

    LimitScope(String id, String label, String unit) {
        this.id = id;
        this.label = label;
        this.unit = unit;
    }

    /** A stable name for headers, logs and metrics, e.g. {@code upstream-tokens}. */
    public String id() {
        return id;
    }

    /** Words for messages, e.g. {@code upstream key}. */
    public String label() {
        return label;
    }

    /** What the limit counts: the suffix of its {@code x-ratelimit-*} headers. */
    public String unit() {
        return unit;
    }

    /** A limit of the upstream's (its key's buckets, its pause): another upstream may still take the request. */
    public boolean upstream() {
        return this == UPSTREAM_KEY || this == UPSTREAM_COOLDOWN || this == UPSTREAM_TOKENS;
    }

    public boolean countsTokens() {
        return unit.equals("tokens");
    }
}
