package dev.sluice.openai;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The OpenAI API's objects as its paths show them, for the rule that in managed mode (one company key for
 * every caller) a caller may reach only the objects it created through Sluice: which paths are
 * collections of objects, what an id of each looks like, and which paths a plan may use unless it says
 * otherwise. Paths are the caller's, with {@value Operation.Paths#VERSION}.
 *
 * <p>A path under a collection is one of: the collection itself ({@code GET} lists, {@code POST} creates),
 * or an object of it and what hangs below ({@code /v1/files/file-abc/content}). The id's prefix is
 * OpenAI's (API reference: {@code file-}, {@code upload_}, {@code batch_}, {@code vs_}, {@code resp_},
 * {@code conv_}, {@code chatcmpl-}, {@code cntr_}); a value with one of them in a request body
 * ({@code previous_response_id}, {@code input_file_id}, {@code file_ids}...) refers to an object too.
 */
public final class ObjectPaths {

    /**
     * A collection of objects.
     *
     * @param path     e.g. {@code /v1/files}
     * @param idPrefix how its objects' ids begin
     * @param listable  whether {@code GET} on the collection lists its objects
     * @param retention how long the upstream keeps its objects when nobody deletes them; empty when until then
     */
    public record Collection(String path, String idPrefix, boolean listable, Optional<Duration> retention) {

        Collection(String path, String idPrefix, boolean listable) {
            this(path, idPrefix, listable, Optional.empty());
        }
    }

    /** OpenAI keeps stored responses and chat completions for 30 days (API reference, "store"). */
    private static final Optional<Duration> THIRTY_DAYS = Optional.of(Duration.ofDays(30));

    public static final List<Collection> COLLECTIONS = List.of(
            new Collection("/v1/files", "file-", true),
            new Collection("/v1/uploads", "upload_", false),
            new Collection("/v1/batches", "batch_", true),
            new Collection("/v1/vector_stores", "vs_", true),
            new Collection("/v1/responses", "resp_", false, THIRTY_DAYS),
            new Collection("/v1/conversations", "conv_", false),
            // chat completions made with "store": true
            new Collection("/v1/chat/completions", "chatcmpl-", true, THIRTY_DAYS),
            new Collection("/v1/containers", "cntr_", true));

    /**
     * What a plan may use unless it lists its own ({@code SLUICE_CALLER_PATHS}): inference, and the object
     * endpoints under the ownership rule. Left out: fine-tuning, evals, the organization's admin API, and
     * the deprecated Assistants API, whose objects are account-wide.
     */
    public static final List<String> DEFAULT_ALLOWED = List.of(
            "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/responses", "/v1/moderations",
            "/v1/audio", "/v1/images", "/v1/models", "/v1/files", "/v1/uploads", "/v1/batches", "/v1/vector_stores",
            "/v1/conversations", "/v1/containers");

    /**
     * The first segments of OpenAI's API paths (its API reference, December 2026): a path under none of them
     * is no endpoint at all (404 {@code unknown_url}), while one a plan does not allow is refused as such.
     */
    public static final List<String> API_SEGMENTS = List.of("chat", "completions", "embeddings", "responses", "moderations",
            "audio", "images", "models", "files", "uploads", "batches", "vector_stores", "conversations", "containers",
            "fine_tuning", "evals", "assistants", "threads", "organization", "realtime", "videos", "chatkit");

    /** Whether {@code path} lies under one of {@link #API_SEGMENTS}. */
    public static boolean isApiPath(String path) {
        String version = Operation.Paths.VERSION + "/";
        if (!path.startsWith(version)) {
            return false;
        }
        int end = path.indexOf('/', version.length());
        return API_SEGMENTS.contains(path.substring(version.length(), end < 0 ? path.length() : end));
    }

    /** Where a path lies among the objects. */
    public sealed interface Place {
    }

    /** A collection itself: {@code GET} lists it, {@code POST} creates in it. */
    public record Root(Collection collection) implements Place {
    }

    /** An object of a collection, or something below it. */
    public record Member(Collection collection, String id) implements Place {
    }

    /** Outside every collection: {@code /v1/audio/speech}, {@code /v1/moderations}... */
    public record Elsewhere() implements Place {
    }

    private static final Elsewhere ELSEWHERE = new Elsewhere();

    private ObjectPaths() {
    }

    public static Place placeOf(String path) {
        for (Collection collection : COLLECTIONS) {
            String root = collection.path();
            if (!path.startsWith(root)) {
                continue;
            }
            if (path.length() == root.length() || path.length() == root.length() + 1 && path.endsWith("/")) {
                return new Root(collection);
            }
            if (path.charAt(root.length()) != '/') {
                continue; // /v1/filesystem is not under /v1/files
            }
            int idEnd = path.indexOf('/', root.length() + 1);
            return new Member(collection, path.substring(root.length() + 1, idEnd < 0 ? path.length() : idEnd));
        }
        return ELSEWHERE;
    }

    /** The collection an id belongs to by its prefix, when it looks like one of OpenAI's object ids. */
    public static Optional<Collection> collectionOfId(String value) {
        for (Collection collection : COLLECTIONS) {
            if (value.startsWith(collection.idPrefix()) && value.length() > collection.idPrefix().length()) {
                return Optional.of(collection);
            }
        }
        return Optional.empty();
    }

    /** Whether {@code path} is one of {@code allowed} or lies below one. */
    public static boolean allowed(List<String> allowed, String path) {
        for (String prefix : allowed) {
            if (path.equals(prefix) || path.startsWith(prefix) && path.charAt(prefix.length()) == '/') {
                return true;
            }
        }
        return false;
    }
}
