package dev.sluice.api;

/** The limits a request passes, as callers are told about them in refusals and logs. */
public enum LimitScope {
    /** Each caller's own bucket. */
    CALLER("caller", "requests"),
    /** The upstream key's requests-per-minute bucket, shared by all callers. */
    UPSTREAM_KEY("upstream key", "requests");

    private final String label;
    private final String unit;

    LimitScope(String label, String unit) {
        this.label = label;
        this.unit = unit;
    }

    /** Words for messages, e.g. {@code upstream key}. */
    public String label() {
        return label;
    }

    /** What the bucket counts: the suffix of its {@code x-ratelimit-*} headers. */
    public String unit() {
        return unit;
    }
}
