package dev.sluice.owners;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The owner of every object a reply through Sluice created (a file, a batch, a stored response...), by
 * the object's id: in this instance's memory, or in Infinispan for the fleet, so that a call on the
 * object through any instance finds who may make it and which upstream holds it.
 */
public interface ObjectOwners {

    CompletionStage<Optional<Owner>> find(String id);

    /** The owners of those of {@code ids} that have one. */
    CompletionStage<Map<String, Owner>> findAll(Collection<String> ids);

    /**
     * Records {@code owner} for each id.
     *
     * @param retention how long the upstream keeps such objects (stored responses: 30 days); empty when
     *                  until they are deleted
     */
    CompletionStage<Void> record(Collection<String> ids, Owner owner, Optional<Duration> retention);

    CompletionStage<Void> forget(String id);

    /** @return "memory" or "infinispan", for logs */
    String name();
}
