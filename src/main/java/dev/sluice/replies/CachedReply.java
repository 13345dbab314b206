package dev.sluice.replies;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A whole reply kept for identical requests: its status, the headers Sluice relays, and its body.
 *
 * @param headers names in lower case, as the relay keeps them
 */
public record CachedReply(int status, Map<String, List<String>> headers, byte[] body) {

    /** Written first: a reply stored by another version of Sluice reads as absent. */
    private static final int FORMAT = 1;

    public CachedReply {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
        Map<String, List<String>> copied = new LinkedHashMap<>();
        headers.forEach((name, values) -> copied.put(name, List.copyOf(values)));
        headers = java.util.Collections.unmodifiableMap(copied);
    }

    /** What it takes in a store: the body and a little for the rest. */
    public int sizeBytes() {
        return body.length + 256;
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.length + 256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            out.writeInt(status);
            out.writeInt(headers.size());
            for (Map.Entry<String, List<String>> header : headers.entrySet()) {
                out.writeUTF(header.getKey());
                out.writeInt(header.getValue().size());
                for (String value : header.getValue()) {
                    out.writeUTF(value);
                }
            }
            out.writeInt(body.length);
            out.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException("a byte array cannot fail to be written", e);
        }
        return bytes.toByteArray();
    }

    /** What {@link #encode} wrote; empty for anything else. */
    public static Optional<CachedReply> decode(byte[] stored) {
        if (stored == null) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
            if (in.readInt() != FORMAT) {
                return Optional.empty();
            }
            int status = in.readInt();
            int headerCount = in.readInt();
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 0; i < headerCount; i++) {
                String name = in.readUTF();
                int valueCount = in.readInt();
                List<String> values = new ArrayList<>(valueCount);
                for (int k = 0; k < valueCount; k++) {
                    values.add(in.readUTF());
                }
                headers.put(name, values);
            }
            byte[] body = new byte[in.readInt()];
            in.readFully(body);
            return Optional.of(new CachedReply(status, headers, body));
        } catch (IOException | RuntimeException garbage) {
            return Optional.empty();
        }
    }
}
