package dev.sluice.sim;

/**
 * A Response object as the simulator writes it (OpenAI's {@code Response} schema): one assistant
 * message of one {@code output_text} part, its usage, and the request's settings echoed. Fields and
 * their order as in the reference's examples (https://platform.openai.com/docs/api-reference/responses/object;
 * schemas {@code Response}, {@code ResponseUsage} in OpenAI's OpenAPI description, github.com/openai/openai-openapi {@code openapi.yaml} (read at f85dbe2)): {@code completed_at} only once
 * completed, {@code incomplete_details.reason} {@code max_output_tokens} when cut, the message then
 * {@code incomplete} too.
 *
 * @param id             {@code resp_...}
 * @param messageId      {@code msg_...}, the id of the one output item
 * @param createdSeconds {@code created_at}, Unix seconds
 * @param quotedModel    the request's model as a JSON string
 * @param settings       the request's Responses settings
 * @param text           the whole output text (plain words, nothing to escape)
 * @param inputTokens    the prompt as the usage reports it
 * @param outputTokens   the words of {@code text}
 * @param incomplete     cut by {@code max_output_tokens}: status {@code incomplete}
 */
record ResponseDraft(String id, String messageId, long createdSeconds, String quotedModel, ResponseSettings settings,
                     String text, long inputTokens, long outputTokens, boolean incomplete) {

    /** What {@code response.created} and {@code response.in_progress} carry: no output, no usage yet. */
    String inProgress() {
        return response("in_progress", "null", "null", "[]", "null");
    }

    /** The finished response: what a plain request gets, the last event carries, and {@code GET} returns. */
    String finished() {
        return response(incomplete ? "incomplete" : "completed", incomplete ? "null" : Long.toString(createdSeconds),
                incomplete ? "{\"reason\":\"max_output_tokens\"}" : "null", "[" + message(true) + "]", usage());
    }

    /** The output item, with its whole text when {@code done}, else in progress with no content yet. */
    String message(boolean done) {
        String status = !done ? "in_progress" : incomplete ? "incomplete" : "completed";
        return "{\"type\":\"message\",\"id\":\"" + messageId + "\",\"status\":\"" + status
                + "\",\"role\":\"assistant\",\"content\":[" + (done ? outputText(text) : "") + "]}";
    }

    static String outputText(String text) {
        return "{\"type\":\"output_text\",\"text\":\"" + text + "\",\"annotations\":[]}";
    }

    private String usage() {
        return "{\"input_tokens\":" + inputTokens + ",\"input_tokens_details\":{\"cached_tokens\":0,"
                + "\"cache_write_tokens\":0},\"output_tokens\":" + outputTokens
                + ",\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":" + (inputTokens + outputTokens) + "}";
    }

    private String response(String status, String completedAt, String incompleteDetails, String output, String usage) {
        return "{\"id\":\"" + id + "\",\"object\":\"response\",\"created_at\":" + createdSeconds + ",\"status\":\"" + status
                + "\",\"background\":" + settings.background() + ",\"completed_at\":" + completedAt
                + ",\"error\":null,\"incomplete_details\":" + incompleteDetails
                + ",\"instructions\":" + settings.instructionsJson()
                + ",\"max_output_tokens\":" + settings.maxOutputTokensJson() + ",\"model\":" + quotedModel
                + ",\"output\":" + output + ",\"parallel_tool_calls\":true,\"previous_response_id\":"
                + settings.previousResponseIdJson() + ",\"reasoning\":{\"effort\":null,\"summary\":null},"
                + "\"service_tier\":\"default\",\"store\":" + settings.store() + ",\"temperature\":1.0,"
                + "\"text\":{\"format\":{\"type\":\"text\"}},\"tool_choice\":\"auto\",\"tools\":[],\"top_p\":1.0,"
                + "\"truncation\":\"disabled\",\"usage\":" + usage + ",\"user\":null,\"metadata\":{}}";
    }
}
