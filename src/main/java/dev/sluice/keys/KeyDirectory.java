package dev.sluice.keys;

import dev.sluice.config.Plan;
import dev.sluice.config.StaticKey;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every key this instance accepts, by the hash of its secret: an immutable snapshot, built again when
 * a key changes, read by every request without a store round trip. Each entry holds its limits in
 * force, worked out once here rather than per request.
 */
public final class KeyDirectory {

    /** What one secret opens. */
    private record Entry(String id, Plan plan, Optional<Instant> validUntil, boolean disabled) {
    }

    private final Map<String, Entry> byHash;
    private final Map<String, KeyRecord> records;
    private final boolean acceptAnyKey;
    private final Plan defaultPlan;

    private KeyDirectory(Map<String, Entry> byHash, Map<String, KeyRecord> records, boolean acceptAnyKey, Plan defaultPlan) {
        this.byHash = byHash;
        this.records = records;
        this.acceptAnyKey = acceptAnyKey;
        this.defaultPlan = defaultPlan;
    }

    /**
     * @param records      the issued keys; one whose plan no longer exists falls back to the default plan
     * @param staticKeys   the keys set in the environment
     * @param plans        the plans by name
     * @param acceptAnyKey whether a token no key matches is a caller of the default plan anyway
     * @param zone         the quota zone, for overrides of quotas the plan does not have
     */
    public static KeyDirectory of(Collection<KeyRecord> records, List<StaticKey> staticKeys, Map<String, Plan> plans,
            boolean acceptAnyKey, ZoneId zone) {
        Plan defaultPlan = plans.get(Plan.DEFAULT_NAME);
        Map<String, Entry> byHash = new HashMap<>();
        for (StaticKey key : staticKeys) {
            byHash.put(key.sha256(), new Entry(key.id(), plans.get(key.plan()), Optional.empty(), false));
        }
        Map<String, KeyRecord> byId = new HashMap<>();
        for (KeyRecord record : records) {
            byId.put(record.id(), record);
            Plan plan = record.overrides().applyTo(plans.getOrDefault(record.plan(), defaultPlan), zone);
            byHash.put(record.secretHash(), new Entry(record.id(), plan, record.expiresAt(), record.disabled()));
            record.previousSecret().ifPresent(previous -> byHash.put(previous.hash(), new Entry(record.id(), plan,
                    Optional.of(record.expiresAt().filter(at -> at.isBefore(previous.validUntil())).orElse(previous.validUntil())),
                    record.disabled())));
        }
        return new KeyDirectory(Map.copyOf(byHash), Map.copyOf(byId), acceptAnyKey, defaultPlan);
    }

    /**
     * @param tokenHash {@link CallerKeys#hash} of the bearer token
     * @param now       the wall-clock time, for expiries
     */
    public KeyLookup lookup(String tokenHash, Instant now) {
        // Found by the token's SHA-256, never by the token: whatever the lookup's timing tells an attacker
        // is about that hash, from which no key can be made, so a plain map serves (no constant-time scan).
        Entry entry = byHash.get(tokenHash);
        if (entry == null) {
            return acceptAnyKey ? new KeyLookup.Known(tokenHash, defaultPlan) : new KeyLookup.Refused(KeyLookup.Reason.UNKNOWN);
        }
        if (entry.disabled()) {
            return new KeyLookup.Refused(KeyLookup.Reason.DISABLED);
        }
        if (entry.validUntil().isPresent() && !now.isBefore(entry.validUntil().get())) {
            return new KeyLookup.Refused(KeyLookup.Reason.EXPIRED);
        }
        return new KeyLookup.Known(entry.id(), entry.plan());
    }

    /** The issued keys, by id (not those set in the environment). */
    public Map<String, KeyRecord> records() {
        return records;
    }
}
