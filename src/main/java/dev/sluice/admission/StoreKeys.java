package dev.sluice.admission;

import dev.sluice.keys.CallerKeys;

/** The store keys of the limits, one place for each key's shape. */
public final class StoreKeys {

    /** Longer model names are hashed: a key stays short whatever a caller sends. */
    static final int MAX_MODEL_IN_KEY = 128;

    private StoreKeys() {
    }

    static String caller(String callerId) {
        return "caller:" + callerId;
    }

    /** @param requestDigest the request's path and body, hashed: one bucket per distinct request */
    static String duplicate(String callerId, String requestDigest) {
        return "dup:" + callerId + ":" + requestDigest;
    }

    static String callerTokens(String callerId) {
        return "tokens:caller:" + callerId;
    }

    /** A caller's requests in flight. */
    static String callerConcurrency(String callerId) {
        return "inflight:caller:" + callerId;
    }

    static String clientIp(String address) {
        return "ip:" + address;
    }

    /** A caller's quota in one calendar window, e.g. {@code quota:caller:<id>:tokens:day:2026-12-05}. */
    static String callerQuota(String callerId, boolean countsTokens, String windowSuffix) {
        return "quota:caller:" + callerId + ":" + (countsTokens ? "tokens:" : "requests:") + windowSuffix;
    }

    static String upstreamRequests(String upstream) {
        return "upstream:" + upstream + ":requests";
    }

    static String upstreamTokens(String upstream) {
        return "upstream:" + upstream + ":tokens";
    }

    /** An upstream's pause for a model. */
    static String cooldown(String upstream, String model) {
        return "cooldown:upstream:" + upstream + ":model:" + (model.length() <= MAX_MODEL_IN_KEY ? model : CallerKeys.hash(model));
    }
}
