package dev.sluice.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Uploaded files, each on disk in a directory of the simulator's own, made at the first upload and
 * deleted when the simulator stops: an upload is streamed there as it arrives and sent back from
 * there, never held whole in memory. Listed in the order they were uploaded.
 */
final class StoredFiles {

    /** A file OpenAI's way ({@code File} object); {@code path} is where its bytes are. */
    record StoredFile(String id, long bytes, long createdSeconds, String filename, String purpose, Path path) {

        String json() {
            return "{\"id\":\"" + id + "\",\"object\":\"file\",\"bytes\":" + bytes + ",\"created_at\":" + createdSeconds
                    + ",\"expires_at\":null,\"filename\":" + ReplyBodies.quote(filename) + ",\"purpose\":"
                    + ReplyBodies.quote(purpose) + ",\"status\":\"processed\",\"status_details\":null}";
        }
    }

    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, StoredFile> byId = new LinkedHashMap<>();
    private Path directory;

    /** A new id, and where the upload under it is written. */
    synchronized StoredFile reserve() {
        try {
            if (directory == null) {
                directory = Files.createTempDirectory("sluice-sim-files-");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String id = "file-sim" + sequence.incrementAndGet();
        return new StoredFile(id, 0, 0, "", "", directory.resolve(id));
    }

    synchronized void add(StoredFile file) {
        byId.put(file.id(), file);
    }

    /** @return null when unknown or deleted */
    synchronized StoredFile get(String id) {
        return byId.get(id);
    }

    /** Forgets the file and deletes its bytes; null when there was none. */
    StoredFile remove(String id) {
        StoredFile file;
        synchronized (this) {
            file = byId.remove(id);
        }
        if (file != null) {
            discard(file.path());
        }
        return file;
    }

    /**
     * @param purpose only these, or all when null
     * @param after   a file id: the files listed after it; null for all
     */
    synchronized List<StoredFile> list(String purpose, boolean ascending, String after) {
        List<StoredFile> files = new ArrayList<>(byId.values());
        if (!ascending) {
            java.util.Collections.reverse(files);
        }
        files.removeIf(file -> purpose != null && !purpose.equals(file.purpose()));
        int from = 0;
        for (int index = 0; after != null && index < files.size(); index++) {
            if (files.get(index).id().equals(after)) {
                from = index + 1;
            }
        }
        return files.subList(from, files.size());
    }

    /** Deletes an upload's bytes (one that was refused, or whose file was deleted). */
    static void discard(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a leftover in a temporary directory: not worth failing a call for
        }
    }

    /** Deletes every file and the directory: the simulator is stopping. */
    synchronized void deleteAll() {
        byId.clear();
        if (directory == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(StoredFiles::discard);
        } catch (IOException e) {
            // as above
        }
        directory = null;
    }
}
