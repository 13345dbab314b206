package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.io.IOException;
import java.util.Map;

/**
 * {@code POST /v1/audio/speech} ({@code model}, {@code input} of at most 4,096 characters, {@code voice}),
 * one request and no tokens: "audio" of a fixed pattern, chunked, as OpenAI's reference describes the
 * reply: MPEG frames of 417 bytes (a 128 kbit/s, 44.1 kHz frame header and silence), 4 of them and one
 * more for every 8 characters of input, so a sentence comes to a few KB and the same input to the same
 * bytes. The same bytes for every {@code response_format}, under its media type: nobody plays them.
 * Source: https://platform.openai.com/docs/api-reference/audio/createSpeech ({@code CreateSpeechRequest} in
 * OpenAI's OpenAPI description, github.com/openai/openai-openapi {@code openapi.yaml} (read at f85dbe2)); the media types per format are the simulator's choice.
 */
final class SpeechHandler {

    static final int FRAME_BYTES = 417;
    static final int MAX_INPUT_CHARACTERS = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> MEDIA_TYPES = Map.of("mp3", "audio/mpeg", "opus", "audio/opus",
            "aac", "audio/aac", "flac", "audio/flac", "wav", "audio/wav", "pcm", "audio/pcm");
    private static final Buffer FRAME = frame();

    private final Gate gate;

    SpeechHandler(Gate gate) {
        this.gate = gate;
    }

    void handle(HttpServerRequest request) {
        long arrivalNanos = gate.nowNanos();
        request.body().onSuccess(body -> {
            Caller caller = gate.authenticate(request, arrivalNanos);
            if (caller == null) {
                return;
            }
            JsonNode root;
            try {
                root = JSON.readTree(body.getBytes());
            } catch (IOException e) {
                root = null;
            }
            String missing = root == null || !root.path("model").isTextual() ? "model"
                    : !root.path("input").isTextual() ? "input" : !root.path("voice").isTextual() ? "voice" : null;
            String format = root == null ? "mp3" : root.path("response_format").asText("mp3");
            if (missing != null || !MEDIA_TYPES.containsKey(format)
                    || root.get("input").textValue().length() > MAX_INPUT_CHARACTERS) {
                String param = missing != null ? missing : MEDIA_TYPES.containsKey(format) ? "input" : "response_format";
                gate.badRequest(request, caller, missing != null ? "Missing required parameter: '" + missing + "'."
                        : "Invalid value for '" + param + "'.", param, null, arrivalNanos);
                return;
            }
            int frames = 4 + root.get("input").textValue().length() / 8;
            String mediaType = MEDIA_TYPES.get(format);
            gate.admit(request, caller, answer -> {
                Buffer audio = Buffer.buffer(frames * FRAME_BYTES);
                for (int frame = 0; frame < frames; frame++) {
                    audio.appendBuffer(FRAME);
                }
                answer.putProcessingMillis();
                answer.response().setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, mediaType).end(audio);
            }, arrivalNanos);
        });
    }

    /** An MPEG-1 Layer III frame header (sync, 128 kbit/s, 44.1 kHz, no padding) and zeros. */
    private static Buffer frame() {
        byte[] frame = new byte[FRAME_BYTES];
        frame[0] = (byte) 0xFF;
        frame[1] = (byte) 0xFB;
        frame[2] = (byte) 0x90;
        frame[3] = (byte) 0x64;
        return Buffer.buffer(frame);
    }
}
