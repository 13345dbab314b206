package dev.sluice.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP/1.1 exchange over a plain socket, for the chaos drivers: the request's bytes go out exactly as
 * given (however malformed), and the answers are read as they come, framed by their Content-Length or
 * chunks, so that a driver can tell a complete answer from one cut short. Loopback only.
 */
final class RawExchange {

    /** How long to wait for a pipelined request's answer once the first one is whole. */
    private static final long FURTHER_ANSWER_NANOS = 500_000_000L;

    private RawExchange() {
    }

    /**
     * Sends {@code request} on a new connection to 127.0.0.1:{@code port} and reads the first answer (with
     * {@code answers} > 1, up to that many, for pipelined requests), all within {@code timeout}.
     */
    static Exchange send(int port, byte[] request, Duration timeout, int answers) {
        long startNanos = System.nanoTime();
        long deadlineNanos = startNanos + timeout.toNanos();
        boolean head = request.length >= 5 && new String(request, 0, 5, StandardCharsets.ISO_8859_1).equals("HEAD ");
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        List<RawAnswer> parsed = new ArrayList<>();
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", port), (int) Math.max(1, timeout.toMillis()));
            } catch (ConnectException e) {
                return new Exchange(RawAnswer.End.REFUSED, List.of(), millisSince(startNanos), e.getMessage());
            }
            try {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
            } catch (IOException e) {
                // the server may have answered (a 413) and closed before reading everything: read on
            }
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[16 * 1024];
            int offset = 0;
            while (true) {
                RawAnswer answer;
                while ((answer = RawAnswer.parse(received.toByteArray(), offset, head, false)) != null) {
                    parsed.add(answer);
                    offset += answer.length();
                    if (parsed.size() >= answers || answer.closes()) {
                        return new Exchange(RawAnswer.End.COMPLETE, parsed, millisSince(startNanos), null);
                    }
                    // a further answer comes at once or not at all: the first one is what matters
                    deadlineNanos = Math.min(deadlineNanos, System.nanoTime() + FURTHER_ANSWER_NANOS);
                }
                long remainingMillis = (deadlineNanos - System.nanoTime()) / 1_000_000;
                if (remainingMillis <= 0) {
                    return ended(RawAnswer.End.TIMEOUT, received.toByteArray(), offset, head, parsed, startNanos, "timeout");
                }
                socket.setSoTimeout((int) remainingMillis);
                int count;
                try {
                    count = in.read(buffer);
                } catch (SocketTimeoutException e) {
                    return ended(RawAnswer.End.TIMEOUT, received.toByteArray(), offset, head, parsed, startNanos, "timeout");
                } catch (IOException e) {
                    return ended(null, received.toByteArray(), offset, head, parsed, startNanos, e.getMessage());
                }
                if (count < 0) {
                    return ended(null, received.toByteArray(), offset, head, parsed, startNanos, "closed");
                }
                received.write(buffer, 0, count);
            }
        } catch (IOException e) {
            return new Exchange(RawAnswer.End.NO_ANSWER, parsed, millisSince(startNanos), e.getMessage());
        }
    }

    /** The connection ended (closed, reset, or the clock ran out) with {@code bytes[offset..]} not yet an answer. */
    private static Exchange ended(RawAnswer.End timeout, byte[] bytes, int offset, boolean head, List<RawAnswer> parsed,
                                  long startNanos, String detail) {
        if (timeout == null) {
            // an answer without a length ends with the connection
            RawAnswer last = RawAnswer.parse(bytes, offset, head, true);
            if (last != null) {
                parsed.add(last);
                return new Exchange(RawAnswer.End.COMPLETE, parsed, millisSince(startNanos), detail);
            }
        }
        if (offset == bytes.length) {
            // nothing pending: the answers that came were whole (a server may keep the connection open after them)
            RawAnswer.End end = !parsed.isEmpty() ? RawAnswer.End.COMPLETE : timeout != null ? timeout : RawAnswer.End.NO_ANSWER;
            return new Exchange(end, parsed, millisSince(startNanos), detail);
        }
        // part of an answer: its head, and as much of its body as came
        RawAnswer partial = RawAnswer.partial(bytes, offset);
        if (partial != null) {
            parsed.add(partial);
        }
        return new Exchange(timeout != null ? timeout : RawAnswer.End.CUT, parsed, millisSince(startNanos), detail);
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /**
     * How an exchange ended and the answers it got.
     *
     * @param end     COMPLETE when every answer read was whole; otherwise how the last one (or its absence) ended
     * @param answers the answers read, the last one possibly partial (its body is what came)
     * @param millis  from connecting to the end
     * @param detail  the socket's error or "closed"/"timeout", for reproducers
     */
    record Exchange(RawAnswer.End end, List<RawAnswer> answers, long millis, String detail) {

        /** The first answer, or null when none came. */
        RawAnswer first() {
            return answers.isEmpty() ? null : answers.get(0);
        }
    }
}
