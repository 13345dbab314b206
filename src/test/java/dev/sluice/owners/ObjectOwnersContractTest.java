package dev.sluice.owners;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every owner store must do, run against each of them (in memory, a real Infinispan server). A store
 * may hold other tests' records: each case uses its own ids.
 */
public abstract class ObjectOwnersContractTest {

    protected abstract ObjectOwners createStore();

    protected static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    protected static String newId(String prefix) {
        return prefix + UUID.randomUUID();
    }

    @Test
    void anOwnerRecordedIsFoundAsItWas() throws Exception {
        ObjectOwners store = createStore();
        String file = newId("file-");
        String upload = newId("upload_");
        Owner owner = new Owner("caller-a", "primary");

        await(store.record(List.of(file, upload), owner, Optional.empty()));

        assertThat(await(store.find(file))).contains(owner);
        assertThat(await(store.find(upload))).contains(owner);
    }

    @Test
    void anIdNeverRecordedHasNoOwner() throws Exception {
        ObjectOwners store = createStore();

        assertThat(await(store.find(newId("file-")))).isEmpty();
        assertThat(await(store.findAll(List.of(newId("file-"), newId("batch_"))))).isEmpty();
    }

    @Test
    void findAllAnswersForTheIdsThatHaveOwners() throws Exception {
        ObjectOwners store = createStore();
        String mine = newId("file-");
        String theirs = newId("file-");
        await(store.record(List.of(mine), new Owner("caller-a", "primary"), Optional.empty()));
        await(store.record(List.of(theirs), new Owner("caller-b", "azure"), Optional.empty()));

        Map<String, Owner> found = await(store.findAll(List.of(mine, theirs, newId("file-"))));

        assertThat(found).containsOnly(Map.entry(mine, new Owner("caller-a", "primary")), Map.entry(theirs, new Owner("caller-b", "azure")));
    }

    @Test
    void aForgottenObjectHasNoOwner() throws Exception {
        ObjectOwners store = createStore();
        String id = newId("vs_");
        await(store.record(List.of(id), new Owner("caller-a", "primary"), Optional.empty()));

        await(store.forget(id));

        assertThat(await(store.find(id))).isEmpty();
    }

    @Test
    void aRecordWithARetentionIsKeptForIt() throws Exception {
        ObjectOwners store = createStore();
        String id = newId("resp_");

        await(store.record(List.of(id), new Owner("caller-a", "primary"), Optional.of(Duration.ofDays(30))));

        assertThat(await(store.find(id))).contains(new Owner("caller-a", "primary"));
    }
}
