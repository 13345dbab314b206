package dev.sluice.usage;

import io.vertx.core.buffer.Buffer;

/**
 * Cuts a server-sent event stream, chunk by chunk, into events, finds the usage they carry and
 * optionally drops the usage chunk; everything else passes byte for byte. One instance per stream,
 * not thread-safe (a Multi delivers its items one at a time).
 *
 * <p>Per the SSE spec, a line ends with CRLF, LF or CR, and a blank line ends an event. A CR that is
 * the last byte seen so far is held until the next byte shows whether an LF belongs to it: otherwise a
 * CRLF split across chunks would read as two line ends, i.e. a blank line, one line too early.
 */
final class SseEventScanner {

    private static final byte[] DATA = {'d', 'a', 't', 'a'};

    private final boolean stripUsageChunk;

    /** Bytes not emitted yet: the incomplete event, and while scanning, the events completed by this chunk. */
    private byte[] pending = new byte[4096];
    private int pendingLength;
    /** Where scanning resumes: everything before it is split into lines. */
    private int scanned;
    private int eventStart;
    private int lineStart;
    /** Value bounds of the current event's data lines: start, end, start, end, ... */
    private int[] dataBounds = new int[4];
    private int dataLines;

    /** Emission of the current call: {@link #out} holds what was copied, [{@link #keptFrom}, x) is to copy. */
    private Buffer out;
    private int keptFrom;

    /** Written while scanning, read by whoever ends the stream: a cancel can come from another thread. */
    private volatile TokenUsage usage;

    SseEventScanner(boolean stripUsageChunk) {
        this.stripUsageChunk = stripUsageChunk;
    }

    /** The last usage seen so far, or null. */
    TokenUsage usage() {
        return usage;
    }

    /** Takes an upstream chunk; returns the complete events to pass on now, or null when there are none. */
    Buffer accept(Buffer chunk) {
        boolean nothingHeld = pendingLength == 0;
        append(chunk);
        out = null;
        keptFrom = 0;
        scan(false);
        if (nothingHeld && keptFrom == 0 && eventStart == pendingLength) { // keptFrom moves only when dropping
            pendingLength = 0;
            scanned = 0;
            eventStart = 0;
            lineStart = 0;
            return chunk; // whole events, nothing dropped: pass the upstream's own buffer on
        }
        Buffer emitted = take(eventStart);
        compact();
        return emitted;
    }

    /**
     * The stream ended: returns everything still held, as it came, or null. An event the stream ended
     * inside is one no client dispatches, but the upstream counted its tokens: its usage is recorded.
     */
    Buffer finish() {
        out = null;
        keptFrom = 0;
        scan(true);
        if (lineStart < pendingLength) {
            noteLine(lineStart, pendingLength);
        }
        if (dataLines > 0) {
            readUsage();
        }
        Buffer emitted = take(pendingLength);
        pendingLength = 0;
        return emitted;
    }

    private void append(Buffer chunk) {
        int length = chunk.length();
        if (pendingLength + length > pending.length) {
            byte[] grown = new byte[Math.max(pending.length * 2, pendingLength + length)];
            System.arraycopy(pending, 0, grown, 0, pendingLength);
            pending = grown;
        }
        chunk.getBytes(0, length, pending, pendingLength);
        pendingLength += length;
    }

    private void scan(boolean atEnd) {
        int i = scanned;
        while (i < pendingLength) {
            byte b = pending[i];
            if (b != '\n' && b != '\r') {
                i++;
                continue;
            }
            int next;
            if (b == '\n') {
                next = i + 1;
            } else if (i + 1 < pendingLength) {
                next = pending[i + 1] == '\n' ? i + 2 : i + 1;
            } else if (atEnd) {
                next = i + 1;
            } else {
                break; // a CR as the last byte: wait for the next one
            }
            if (i == lineStart) {
                endEvent(next);
            } else {
                noteLine(lineStart, i);
            }
            lineStart = next;
            i = next;
        }
        scanned = i;
    }

    /** Records the value of a {@code data} line; other fields and comments do not matter here. */
    private void noteLine(int start, int end) {
        int colon = start;
        while (colon < end && pending[colon] != ':') {
            colon++;
        }
        if (colon - start != DATA.length || !startsWithData(start)) {
            return; // a comment (empty name), or another field
        }
        int valueStart = colon < end ? colon + 1 : end;
        if (valueStart < end && pending[valueStart] == ' ') {
            valueStart++;
        }
        if (2 * dataLines + 2 > dataBounds.length) {
            int[] grown = new int[dataBounds.length * 2];
            System.arraycopy(dataBounds, 0, grown, 0, dataBounds.length);
            dataBounds = grown;
        }
        dataBounds[2 * dataLines] = valueStart;
        dataBounds[2 * dataLines + 1] = end;
        dataLines++;
    }

    private boolean startsWithData(int start) {
        for (int k = 0; k < DATA.length; k++) {
            if (pending[start + k] != DATA[k]) {
                return false;
            }
        }
        return true;
    }

    /** A blank line ended the event at [eventStart, end). */
    private void endEvent(int end) {
        if (dataLines > 0 && readUsage() && stripUsageChunk) {
            copyKept(eventStart);
            keptFrom = end;
        }
        eventStart = end;
        dataLines = 0;
    }

    /** Reads the current event's data; true when it is a usage chunk (usage and no choices). */
    private boolean readUsage() {
        byte[] json;
        int offset;
        int length;
        if (dataLines == 1) {
            json = pending;
            offset = dataBounds[0];
            length = dataBounds[1] - dataBounds[0];
        } else {
            json = joinedData();
            offset = 0;
            length = json.length;
        }
        // data: [DONE] and the many chunks with "usage":null stop here, without a parser
        if (!UsageReader.mayHoldUsageObject(json, offset, length)) {
            return false;
        }
        UsageReader.EventUsage found = UsageReader.readEvent(json, offset, length);
        if (found.usage() == null) {
            return false;
        }
        usage = found.usage(); // the last one wins: some servers repeat a running total in every chunk
        return found.choicesEmpty();
    }

    /** Several data lines make one value, joined with LF. */
    private byte[] joinedData() {
        int length = dataLines - 1;
        for (int line = 0; line < dataLines; line++) {
            length += dataBounds[2 * line + 1] - dataBounds[2 * line];
        }
        byte[] joined = new byte[length];
        int at = 0;
        for (int line = 0; line < dataLines; line++) {
            if (line > 0) {
                joined[at++] = '\n';
            }
            int start = dataBounds[2 * line];
            int lineLength = dataBounds[2 * line + 1] - start;
            System.arraycopy(pending, start, joined, at, lineLength);
            at += lineLength;
        }
        return joined;
    }

    private void copyKept(int end) {
        if (end > keptFrom) {
            if (out == null) {
                out = Buffer.buffer(end - keptFrom);
            }
            out.appendBytes(pending, keptFrom, end - keptFrom);
        }
    }

    /** What to emit for [0, end): the kept bytes, or null when none. */
    private Buffer take(int end) {
        copyKept(end);
        keptFrom = end;
        return out;
    }

    /** Drops the emitted [0, eventStart) from {@link #pending}, keeping the incomplete event. */
    private void compact() {
        int shift = eventStart;
        if (shift == 0) {
            return;
        }
        System.arraycopy(pending, shift, pending, 0, pendingLength - shift);
        pendingLength -= shift;
        scanned -= shift;
        lineStart -= shift;
        eventStart = 0;
        for (int k = 0; k < 2 * dataLines; k++) {
            dataBounds[k] -= shift;
        }
    }
}
