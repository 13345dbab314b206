package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Responses created with {@code store} (OpenAI's default), by id, for {@code GET}, {@code DELETE},
 * {@code cancel} and {@code input_items}. Only the most recent {@link #CAPACITY} are kept (OpenAI keeps
 * them for 30 days): a long benchmark must not fill the simulator's heap. Any key may read any of them.
 */
final class StoredResponses {

    static final int CAPACITY = 10_000;

    /**
     * @param body       the finished Response object, as the create call sent it (or its stream's last event)
     * @param input      the request's {@code input}
     * @param background created with {@code background}: the only kind that may be cancelled
     */
    record Stored(String body, JsonNode input, boolean background) {
    }

    private final Map<String, Stored> byId = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Stored> eldest) {
            return size() > CAPACITY;
        }
    };

    synchronized void put(String id, Stored stored) {
        byId.put(id, stored);
    }

    /** @return null when unknown, deleted or evicted */
    synchronized Stored get(String id) {
        return byId.get(id);
    }

    /** @return what was removed; null when there was nothing */
    synchronized Stored remove(String id) {
        return byId.remove(id);
    }
}
