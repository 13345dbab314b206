package dev.sluice.usage;

import java.util.List;

/**
 * A streamed Responses API reply as OpenAI sends it: typed events, each with an {@code event:} line and a
 * {@code sequence_number}, the usage only in the last event's {@code response}, and no {@code [DONE]}
 * (OpenAI's API reference, "Streaming events": developers.openai.com/api/reference/resources/responses/streaming-events).
 */
public final class ResponsesStream {

    public static final String CREATED = event("response.created", """
            {"type":"response.created","sequence_number":0,"response":{"id":"resp_67c9fdcecf488190bdd9a0409de3a1ec","object":"response",\
            "created_at":1741290958,"status":"in_progress","model":"gpt-4.1-2025-04-14","output":[],"usage":null}}""");
    public static final String IN_PROGRESS = event("response.in_progress", """
            {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_67c9fdcecf488190bdd9a0409de3a1ec",\
            "object":"response","status":"in_progress","output":[],"usage":null}}""");
    public static final String ITEM_ADDED = event("response.output_item.added", """
            {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_67c9fdcf37fc8190ba82116e33fb28c5",\
            "type":"message","status":"in_progress","role":"assistant","content":[]}}""");
    public static final String DELTA_HI = event("response.output_text.delta", """
            {"type":"response.output_text.delta","sequence_number":3,"item_id":"msg_67c9fdcf37fc8190ba82116e33fb28c5",\
            "output_index":0,"content_index":0,"delta":"Hi \\"usage\\": {"}""");
    public static final String DELTA_THERE = event("response.output_text.delta", """
            {"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_67c9fdcf37fc8190ba82116e33fb28c5",\
            "output_index":0,"content_index":0,"delta":" there!"}""");
    public static final String COMPLETED = event("response.completed", """
            {"type":"response.completed","sequence_number":5,"response":{"id":"resp_67c9fdcecf488190bdd9a0409de3a1ec",\
            "object":"response","created_at":1741290958,"status":"completed","model":"gpt-4.1-2025-04-14",\
            "output":[{"id":"msg_67c9fdcf37fc8190ba82116e33fb28c5","type":"message","status":"completed","role":"assistant",\
            "content":[{"type":"output_text","text":"Hi \\"usage\\": { there!","annotations":[]}]}],\
            "usage":{"input_tokens":37,"input_tokens_details":{"cached_tokens":0},"output_tokens":11,\
            "output_tokens_details":{"reasoning_tokens":0},"total_tokens":48}}}""");
    /** The usage {@link #COMPLETED} reports. */
    public static final TokenUsage REPORTED = new TokenUsage(37, 11);

    /** The whole stream, event by event. */
    public static final List<String> EVENTS = List.of(CREATED, IN_PROGRESS, ITEM_ADDED, DELTA_HI, DELTA_THERE, COMPLETED);

    private ResponsesStream() {
    }

    private static String event(String type, String json) {
        return "event: " + type + "\ndata: " + json + "\n\n";
    }
}
