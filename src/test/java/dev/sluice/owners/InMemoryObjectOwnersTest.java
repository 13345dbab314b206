package dev.sluice.owners;

import dev.sluice.limit.TestTimeSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryObjectOwnersTest extends ObjectOwnersContractTest {

    private final TestTimeSource clock = new TestTimeSource();

    @Override
    protected ObjectOwners createStore() {
        return new InMemoryObjectOwners(clock, 1000);
    }

    @Test
    void aRecordExpiresWithItsRetention() throws Exception {
        ObjectOwners store = createStore();
        await(store.record(List.of("resp_1"), new Owner("caller-a", "primary"), Optional.of(Duration.ofDays(30))));

        clock.advanceSeconds(Duration.ofDays(30).toSeconds() - 1);
        assertThat(await(store.find("resp_1"))).isPresent();
        clock.advanceSeconds(1);
        assertThat(await(store.find("resp_1"))).isEmpty();
    }

    @Test
    void theOldestRecordsGoFirstBeyondTheCapacity() throws Exception {
        ObjectOwners store = new InMemoryObjectOwners(clock, 2);
        Owner owner = new Owner("caller-a", "primary");
        await(store.record(List.of("file-1"), owner, Optional.empty()));
        await(store.record(List.of("file-2"), owner, Optional.empty()));
        await(store.record(List.of("file-3"), owner, Optional.empty()));

        assertThat(await(store.find("file-1"))).as("unreachable through Sluice: the safe side").isEmpty();
        assertThat(await(store.findAll(List.of("file-2", "file-3")))).hasSize(2);
    }
}
