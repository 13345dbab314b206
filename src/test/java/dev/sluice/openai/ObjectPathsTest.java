package dev.sluice.openai;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ObjectPathsTest {

    @Test
    void aCollectionItsObjectsAndWhatLiesBelowThem() {
        assertThat(ObjectPaths.placeOf("/v1/files")).isInstanceOf(ObjectPaths.Root.class);
        assertThat(ObjectPaths.placeOf("/v1/files/")).isInstanceOf(ObjectPaths.Root.class);
        assertThat(ObjectPaths.placeOf("/v1/files/file-abc")).isEqualTo(new ObjectPaths.Member(collection("/v1/files"), "file-abc"));
        assertThat(ObjectPaths.placeOf("/v1/files/file-abc/content"))
                .isEqualTo(new ObjectPaths.Member(collection("/v1/files"), "file-abc"));
        assertThat(ObjectPaths.placeOf("/v1/vector_stores/vs_1/files/file-2"))
                .isEqualTo(new ObjectPaths.Member(collection("/v1/vector_stores"), "vs_1"));
        assertThat(ObjectPaths.placeOf("/v1/chat/completions/chatcmpl-1/messages"))
                .isEqualTo(new ObjectPaths.Member(collection("/v1/chat/completions"), "chatcmpl-1"));
        assertThat(ObjectPaths.placeOf("/v1/responses/resp_1/input_items"))
                .isEqualTo(new ObjectPaths.Member(collection("/v1/responses"), "resp_1"));
    }

    @Test
    void pathsOutsideEveryCollection() {
        assertThat(ObjectPaths.placeOf("/v1/audio/speech")).isInstanceOf(ObjectPaths.Elsewhere.class);
        assertThat(ObjectPaths.placeOf("/v1/moderations")).isInstanceOf(ObjectPaths.Elsewhere.class);
        assertThat(ObjectPaths.placeOf("/v1/filesystem")).as("not under /v1/files").isInstanceOf(ObjectPaths.Elsewhere.class);
    }

    @Test
    void anIdIsKnownByItsPrefix() {
        assertThat(ObjectPaths.collectionOfId("file-abc")).contains(collection("/v1/files"));
        assertThat(ObjectPaths.collectionOfId("resp_67cc")).contains(collection("/v1/responses"));
        assertThat(ObjectPaths.collectionOfId("call_1")).isEmpty();
        assertThat(ObjectPaths.collectionOfId("file-")).as("a prefix alone is no id").isEmpty();
    }

    @Test
    void storedResponsesAndCompletionsAreKeptThirtyDaysTheRestUntilDeleted() {
        assertThat(collection("/v1/responses").retention()).contains(java.time.Duration.ofDays(30));
        assertThat(collection("/v1/chat/completions").retention()).contains(java.time.Duration.ofDays(30));
        assertThat(collection("/v1/files").retention()).isEmpty();
    }

    private static ObjectPaths.Collection collection(String path) {
        return ObjectPaths.COLLECTIONS.stream().filter(collection -> collection.path().equals(path)).findFirst().orElseThrow();
    }
}
