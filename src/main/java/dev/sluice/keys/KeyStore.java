package dev.sluice.keys;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where issued keys live: this instance's memory, or Infinispan for the fleet. Every change moves a
 * version, so that each instance learns of changes made elsewhere with one small read
 * ({@link #version()}) and reloads the keys only when there was one.
 */
public interface KeyStore {

    /**
     * Every issued key, and the version read <em>before</em> them: a change made while they are read
     * moves the version past the one returned, so the next {@link #version()} shows it.
     */
    CompletionStage<Snapshot> load();

    /** The version only. */
    CompletionStage<String> version();

    /** Writes a record, new or changed, then moves the version. */
    CompletionStage<Void> put(KeyRecord record);

    /** Removes a record, then moves the version; false when there was none. */
    CompletionStage<Boolean> remove(String id);

    /** @return "memory" or "infinispan", for logs */
    String name();

    /**
     * @param version what {@link #version()} said before the records were read
     * @param records every issued key
     */
    record Snapshot(String version, List<KeyRecord> records) {

        public Snapshot {
            records = List.copyOf(records);
        }
    }
}
