package dev.sluice.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The events of a streamed Response, typed as OpenAI's Responses streaming reference lists them,
 * each {@code event: <type>} and {@code data: {"type":<type>,"sequence_number":n,...}}, numbered from
 * 0: {@code response.created}, {@code response.in_progress}, {@code response.output_item.added},
 * {@code response.content_part.added}, one {@code response.output_text.delta} a chunk,
 * {@code response.output_text.done}, {@code response.content_part.done}, {@code response.output_item.done},
 * then {@code response.completed} (or {@code response.incomplete} when {@code max_output_tokens} cut
 * the text), whose {@code response.usage} carries the usage. No {@code data: [DONE]}: that is chat's.
 * Sources: https://platform.openai.com/docs/api-reference/responses-streaming (schemas
 * {@code ResponseCreatedEvent} ... {@code ResponseCompletedEvent}, {@code ResponseIncompleteEvent} in
 * OpenAI's OpenAPI description, github.com/openai/openai-openapi {@code openapi.yaml} (read at f85dbe2): deltas and the text's done event carry {@code logprobs}) and the streaming guide,
 * https://developers.openai.com/api/docs/guides/streaming-responses. Left out: the {@code obfuscation}
 * field OpenAI adds to deltas by default.
 *
 * <p>The events go out in {@code chunks} + 1 writes, {@code chunk-interval-ms} apart like a chat
 * stream's: the opening events with the first delta, one delta each, then the closing events. An
 * aborted stream sends about half of the deltas (at least one) and then the connection is cut.
 */
final class ResponseStream {

    private final ResponseDraft draft;
    private int sequence;

    private ResponseStream(ResponseDraft draft) {
        this.draft = draft;
    }

    /** @return the writes, each one or more whole events */
    static List<String> writes(int chunks, ResponseDraft draft, boolean abort) {
        return new ResponseStream(draft).build(chunks, abort);
    }

    private List<String> build(int chunks, boolean abort) {
        int words = (int) draft.outputTokens();
        int sent = abort ? Math.max(1, chunks / 2) : chunks;
        String part = "\"item_id\":\"" + draft.messageId() + "\",\"output_index\":0,\"content_index\":0";
        List<String> writes = new ArrayList<>(sent + 1);
        StringBuilder opening = new StringBuilder(2048)
                .append(event("response.created", "\"response\":" + draft.inProgress()))
                .append(event("response.in_progress", "\"response\":" + draft.inProgress()))
                .append(event("response.output_item.added", "\"output_index\":0,\"item\":" + draft.message(false)))
                .append(event("response.content_part.added", part + ",\"part\":" + ResponseDraft.outputText("")));
        for (int index = 0; index < sent; index++) {
            String delta = ReplyBodies.words(index * words / chunks, (index + 1) * words / chunks);
            String event = event("response.output_text.delta", part + ",\"delta\":\"" + delta + "\",\"logprobs\":[]");
            writes.add(index == 0 ? opening.append(event).toString() : event);
        }
        if (!abort) {
            writes.add(event("response.output_text.done", part + ",\"text\":\"" + draft.text() + "\",\"logprobs\":[]")
                    + event("response.content_part.done", part + ",\"part\":" + ResponseDraft.outputText(draft.text()))
                    + event("response.output_item.done", "\"output_index\":0,\"item\":" + draft.message(true))
                    + event(draft.incomplete() ? "response.incomplete" : "response.completed",
                            "\"response\":" + draft.finished()));
        }
        return writes;
    }

    private String event(String type, String fields) {
        return "event: " + type + "\ndata: {\"type\":\"" + type + "\",\"sequence_number\":" + sequence++ + ","
                + fields + "}\n\n";
    }
}
