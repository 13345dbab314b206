package dev.sluice.keys;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Issuing, changing, rotating and revoking keys: each change is written to the store, which moves its
 * version, and this instance's copy is reloaded at once; the other instances follow at their next sync.
 * Changes are whole records, last writer wins: admin calls are rare and made by people.
 */
public final class KeyAdmin {

    private final KeyRegistry registry;
    private final SecureRandom random;
    private final Supplier<Instant> clock;

    /** @param clock the wall clock: creation, rotation and expiry times are dates people read */
    public KeyAdmin(KeyRegistry registry, SecureRandom random, Supplier<Instant> clock) {
        this.registry = registry;
        this.random = random;
        this.clock = clock;
    }

    /**
     * A key and its secret, which exists only here: the store keeps its hash.
     *
     * @param secret the key to hand to the caller, shown once
     */
    public record Issued(KeyRecord record, String secret) {

        @Override
        public String toString() { // the secret must never reach a log
            return "Issued[" + record + "]";
        }
    }

    public CompletionStage<Issued> create(String name, String plan, KeyOverrides overrides, Optional<Instant> expiresAt) {
        String secret = CallerKeys.generate(random);
        KeyRecord record = KeyRecord.issued(CallerKeys.newId(random), name, plan, CallerKeys.hash(secret), clock.get())
                .withOverrides(overrides).withExpiry(expiresAt);
        return write(record).thenApply(written -> new Issued(written, secret));
    }

    /** Every issued key, oldest first. */
    public CompletionStage<List<KeyRecord>> list() {
        return registry.store().load().thenApply(snapshot -> snapshot.records().stream()
                .sorted(Comparator.comparing(KeyRecord::createdAt).thenComparing(KeyRecord::id)).toList());
    }

    public CompletionStage<Optional<KeyRecord>> get(String id) {
        return registry.store().load().thenApply(snapshot -> snapshot.records().stream().filter(record -> record.id().equals(id))
                .findFirst());
    }

    /** The key after {@code change}; empty when there is no such key. */
    public CompletionStage<Optional<KeyRecord>> update(String id, UnaryOperator<KeyRecord> change) {
        return get(id).thenCompose(found -> found.isEmpty() ? CompletableFuture.completedFuture(Optional.<KeyRecord>empty())
                : write(change.apply(found.get())).thenApply(Optional::of));
    }

    /**
     * A new secret for the key; the old one keeps working for {@code grace} (not at all when zero).
     *
     * @return empty when there is no such key
     */
    public CompletionStage<Optional<Issued>> rotate(String id, Duration grace) {
        String secret = CallerKeys.generate(random);
        Instant now = clock.get();
        return update(id, record -> record.rotated(CallerKeys.hash(secret), now, now.plus(grace)))
                .thenApply(rotated -> rotated.map(record -> new Issued(record, secret)));
    }

    /** Removes the key: it stops working on this instance now and on the others at their next sync. */
    public CompletionStage<Boolean> revoke(String id) {
        return registry.store().remove(id).thenCompose(removed -> registry.reload().thenApply(ignored -> removed));
    }

    private CompletionStage<KeyRecord> write(KeyRecord record) {
        return registry.store().put(record).thenCompose(ignored -> registry.reload()).thenApply(ignored -> record);
    }
}
