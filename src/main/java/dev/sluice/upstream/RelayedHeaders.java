package dev.sluice.upstream;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Which upstream response headers reach the caller: the body's type, and what OpenAI clients use
 * (request ids, processing time, rate-limit state, retry hints). Connection-level headers
 * (length, encoding, keep-alive) belong to each hop, and cookies or CDN headers are the upstream's own.
 */
public final class RelayedHeaders {

    private RelayedHeaders() {
    }

    public static boolean relayed(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.equals("content-type")
                || lower.equals("content-disposition") // a file's name, on a download of its content
                || lower.equals("x-request-id")
                || lower.equals("retry-after")
                || lower.equals("retry-after-ms")
                || lower.startsWith("openai-")
                || lower.startsWith("x-ratelimit-");
    }

    /** Collects the relayed headers from any header source that can be iterated as name/value pairs. */
    public static Map<String, List<String>> select(java.util.function.Consumer<BiConsumer<String, String>> source) {
        Map<String, List<String>> selected = new LinkedHashMap<>();
        source.accept((name, value) -> {
            if (relayed(name)) {
                selected.computeIfAbsent(name.toLowerCase(Locale.ROOT), key -> new java.util.ArrayList<>(1)).add(value);
            }
        });
        return selected;
    }
}
