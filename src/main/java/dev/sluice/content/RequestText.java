package dev.sluice.content;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The text a request sends for a model to read: chat messages' contents (strings, and the text of text
 * parts), a Responses request's {@code instructions} and {@code input} (text, or its items' text parts), a
 * completion's {@code prompt} and {@code suffix}, an embedding's or a moderation's {@code input}. Not the
 * JSON around it: a rule about words must not match a field name.
 */
public final class RequestText {

    private RequestText() {
    }

    public static List<String> of(JsonNode body) {
        List<String> texts = new ArrayList<>();
        for (JsonNode message : body.path("messages")) {
            content(message.path("content"), texts);
        }
        text(body.path("instructions"), texts);
        content(body.path("input"), texts);
        content(body.path("prompt"), texts);
        text(body.path("suffix"), texts);
        return texts;
    }

    /** A string, or an array of strings, parts with {@code text}, or items with {@code content}. */
    private static void content(JsonNode content, List<String> texts) {
        if (content.isTextual()) {
            texts.add(content.textValue());
            return;
        }
        for (JsonNode element : content) {
            if (element.isTextual()) {
                texts.add(element.textValue());
            } else if (element.isObject()) {
                text(element.path("text"), texts);
                content(element.path("content"), texts);
                text(element.path("output"), texts); // a function call's output goes to the model too
            }
        }
    }

    private static void text(JsonNode node, List<String> texts) {
        if (node.isTextual()) {
            texts.add(node.textValue());
        }
    }
}
