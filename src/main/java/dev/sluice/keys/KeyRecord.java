package dev.sluice.keys;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An issued caller key, as stored: never the key itself, only its hash.
 *
 * @param id             stable for the key's life (rotations included): what logs, usage and metrics name
 * @param name           what the operator called it
 * @param plan           the name of its plan
 * @param overrides      its own values for some of the plan's limits
 * @param expiresAt      when it stops working; empty when never
 * @param disabled       refused while set, kept for later
 * @param createdAt      when it was issued
 * @param rotatedAt      when its secret was last replaced; empty when never
 * @param secretHash     hex SHA-256 of its current secret
 * @param previousSecret the secret it had before its last rotation, while its grace lasts
 */
public record KeyRecord(String id, String name, String plan, KeyOverrides overrides, Optional<Instant> expiresAt,
        boolean disabled, Instant createdAt, Optional<Instant> rotatedAt, String secretHash, Optional<PreviousSecret> previousSecret) {

    /** Names are for people and logs: short, printable. */
    public static final int MAX_NAME_LENGTH = 128;

    public KeyRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(overrides, "overrides");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(rotatedAt, "rotatedAt");
        Objects.requireNonNull(secretHash, "secretHash");
        Objects.requireNonNull(previousSecret, "previousSecret");
    }

    /**
     * A replaced secret that still works until {@code validUntil}.
     *
     * @param hash hex SHA-256 of the old secret
     */
    public record PreviousSecret(String hash, Instant validUntil) {
    }

    /** A new key's record. */
    public static KeyRecord issued(String id, String name, String plan, String secretHash, Instant now) {
        return new KeyRecord(id, name, plan, KeyOverrides.NONE, Optional.empty(), false, now, Optional.empty(), secretHash,
                Optional.empty());
    }

    /** The record after its secret was replaced; the old one works until {@code graceEnds} (not at all when that is now). */
    public KeyRecord rotated(String newSecretHash, Instant now, Instant graceEnds) {
        Optional<PreviousSecret> previous = graceEnds.isAfter(now) ? Optional.of(new PreviousSecret(secretHash, graceEnds))
                : Optional.empty();
        return new KeyRecord(id, name, plan, overrides, expiresAt, disabled, createdAt, Optional.of(now), newSecretHash, previous);
    }

    public KeyRecord withName(String newName) {
        return new KeyRecord(id, newName, plan, overrides, expiresAt, disabled, createdAt, rotatedAt, secretHash, previousSecret);
    }

    public KeyRecord withPlan(String newPlan) {
        return new KeyRecord(id, name, newPlan, overrides, expiresAt, disabled, createdAt, rotatedAt, secretHash, previousSecret);
    }

    public KeyRecord withOverrides(KeyOverrides newOverrides) {
        return new KeyRecord(id, name, plan, newOverrides, expiresAt, disabled, createdAt, rotatedAt, secretHash, previousSecret);
    }

    public KeyRecord withExpiry(Optional<Instant> newExpiry) {
        return new KeyRecord(id, name, plan, overrides, newExpiry, disabled, createdAt, rotatedAt, secretHash, previousSecret);
    }

    public KeyRecord withDisabled(boolean newDisabled) {
        return new KeyRecord(id, name, plan, overrides, expiresAt, newDisabled, createdAt, rotatedAt, secretHash, previousSecret);
    }

    @Override
    public String toString() { // the hashes are not secrets, but nothing needs them in a log either
        return "KeyRecord[" + id + ", name=" + name + ", plan=" + plan + (disabled ? ", disabled" : "")
                + expiresAt.map(at -> ", expires " + at).orElse("") + "]";
    }
}
