package dev.sluice.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The events of a streamed chat completion: {@code chunks} content events (the first also carries
 * the role, the last the finish reason), the usage event when asked for, then {@code data: [DONE]},
 * each its own HTTP chunk, {@code chunk-interval-ms} apart. Only choice 0 is streamed. An aborted
 * stream sends about half of the content events (at least one) and then closes the connection mid-body.
 */
final class ChatStream {

    static final String DONE = "data: [DONE]\n\n";

    private ChatStream() {
    }

    /**
     * @param completionTokens tokens of the reply, spread over the chunks one word a token
     * @param abort            cut after about half of the content events
     */
    static List<String> events(int chunks, String id, long createdSeconds, String quotedModel, ApiRequest api,
                               int completionTokens, String finishReason, boolean abort) {
        int sent = abort ? Math.max(1, chunks / 2) : chunks;
        List<String> events = new ArrayList<>(sent + 2);
        for (int index = 0; index < sent; index++) {
            String content = ReplyBodies.words(index * completionTokens / chunks, (index + 1) * completionTokens / chunks);
            events.add(ReplyBodies.chunkEvent(id, createdSeconds, quotedModel, content, index == 0,
                    index == chunks - 1 ? finishReason : null));
        }
        if (!abort) {
            if (api.includeUsage()) {
                events.add(ReplyBodies.usageEvent(id, createdSeconds, quotedModel, api.promptTokens(),
                        (long) completionTokens * api.choices()));
            }
            events.add(DONE);
        }
        return events;
    }
}
