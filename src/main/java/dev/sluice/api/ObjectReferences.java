package dev.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.openai.ObjectPaths;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The object ids a JSON body refers to ({@code previous_response_id}, {@code input_file_id},
 * {@code file_ids}, {@code conversation}...), or a reply reports ({@code id}, {@code output_file_id}, an
 * upload's {@code file.id}): the values of fields named {@code id}, {@code *_id}, {@code *_ids} or
 * {@code conversation} that look like one of OpenAI's object ids ({@link ObjectPaths#collectionOfId}).
 * A tool call's {@code call_id} does not: it has no object's prefix.
 */
final class ObjectReferences {

    /** Deeper than any request OpenAI takes; a body nested further is not searched further. */
    private static final int MAX_DEPTH = 64;

    private ObjectReferences() {
    }

    /** Every id the body refers to, anywhere in it. */
    static Set<String> in(JsonNode body) {
        Set<String> ids = new LinkedHashSet<>();
        collect(body, ids, 0, Integer.MAX_VALUE);
        return ids;
    }

    /** The ids a reply reports at its top level and one level down ({@code "file":{"id":"file-..."}}). */
    static Set<String> reportedBy(JsonNode reply) {
        Set<String> ids = new LinkedHashSet<>();
        collect(reply, ids, 0, 2);
        return ids;
    }

    private static void collect(JsonNode node, Set<String> ids, int depth, int maxDepth) {
        if (depth >= Math.min(MAX_DEPTH, maxDepth)) {
            return;
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                collect(element, ids, depth, maxDepth); // an array is no level of its own
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            boolean namesAnId = name.equals("id") || name.endsWith("_id") || name.equals("conversation");
            if (namesAnId && value.isTextual()) {
                addIfObjectId(value.textValue(), ids);
            } else if (name.endsWith("_ids") && value.isArray()) {
                value.forEach(element -> {
                    if (element.isTextual()) {
                        addIfObjectId(element.textValue(), ids);
                    }
                });
            } else if (name.equals("conversation") && value.isObject() && value.path("id").isTextual()) {
                addIfObjectId(value.path("id").textValue(), ids);
            } else {
                collect(value, ids, depth + 1, maxDepth);
            }
        }
    }

    private static void addIfObjectId(String value, Set<String> ids) {
        if (ObjectPaths.collectionOfId(value).isPresent()) {
            ids.add(value);
        }
    }
}
