package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /v1/responses/{id}/input_items}: the request's input as a list of items (OpenAI's
 * {@code ResponseItemList}), newest first unless {@code order=asc}, {@code limit} (1–100, 20 by default)
 * a page, after the item {@code after}. A string input is one user message of one {@code input_text}
 * part; a message whose content is a string gets that string as one part. Items without an id get
 * {@code msg_<response>_<index>}, stable from call to call, so that {@code after} can page through them.
 * Source: https://platform.openai.com/docs/api-reference/responses/input-items ({@code listInputItems} in
 * OpenAI's OpenAPI description, github.com/openai/openai-openapi {@code openapi.yaml} (read at f85dbe2)).
 */
final class InputItems {

    private static final ObjectMapper JSON = new ObjectMapper();

    private InputItems() {
    }

    /** @param ascending {@code order=asc}; @param after an item id, or null */
    static String page(String responseId, JsonNode input, int limit, boolean ascending, String after) {
        List<ObjectNode> items = items(responseId, input);
        if (!ascending) {
            java.util.Collections.reverse(items);
        }
        int from = 0;
        if (after != null) {
            for (int index = 0; index < items.size(); index++) {
                if (after.equals(items.get(index).path("id").asText())) {
                    from = index + 1;
                }
            }
        }
        int to = Math.min(items.size(), from + limit);
        ObjectNode list = JSON.createObjectNode().put("object", "list");
        ArrayNode data = list.putArray("data");
        items.subList(from, to).forEach(data::add);
        list.put("first_id", from < to ? items.get(from).path("id").asText() : null);
        list.put("last_id", from < to ? items.get(to - 1).path("id").asText() : null);
        list.put("has_more", to < items.size());
        return list.toString();
    }

    private static List<ObjectNode> items(String responseId, JsonNode input) {
        String prefix = "msg_" + responseId.substring(responseId.indexOf('_') + 1) + "_";
        List<ObjectNode> items = new ArrayList<>();
        if (input.isTextual()) {
            items.add(message(prefix + 0, "user", input));
            return items;
        }
        for (int index = 0; index < input.size(); index++) {
            JsonNode item = input.get(index);
            String id = item.path("id").isTextual() ? item.get("id").textValue() : prefix + index;
            if (item.has("role")) {
                items.add(message(id, item.path("role").asText(), item.path("content")));
            } else {
                ObjectNode copy = JSON.createObjectNode().put("id", id);
                copy.setAll((ObjectNode) item);
                items.add(copy);
            }
        }
        return items;
    }

    private static ObjectNode message(String id, String role, JsonNode content) {
        ObjectNode message = JSON.createObjectNode().put("id", id).put("type", "message").put("role", role)
                .put("status", "completed");
        ArrayNode parts = message.putArray("content");
        if (content.isArray()) {
            content.forEach(parts::add);
        } else if (content.isTextual()) {
            parts.addObject().put("type", role.equals("assistant") ? "output_text" : "input_text")
                    .put("text", content.textValue());
        }
        return message;
    }
}
