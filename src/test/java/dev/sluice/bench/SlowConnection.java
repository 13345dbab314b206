package dev.sluice.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/** One of {@link SlowClients}' sockets, moving a byte a tick; touched by its ticker thread only (and read after it ends). */
final class SlowConnection {
    enum Kind { SLOW_HEAD, SLOW_BODY, SLOW_READER }

    final Kind kind;
    Socket socket;
    long closedAtMillis = -1;
    long bytesMoved;
    String answer;

    private SlowConnection(Kind kind) {
        this.kind = kind;
    }

    static SlowConnection open(int port, Kind kind, int readerMaxTokens) {
        SlowConnection connection = new SlowConnection(kind);
        try {
            Socket socket = new Socket();
            if (kind == Kind.SLOW_READER) {
                socket.setReceiveBufferSize(4096); // before connecting: it sets the window offered
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer slow-"
                    + kind.name().toLowerCase() + "\r\nContent-Type: application/json\r\n";
            String first = switch (kind) {
                case SLOW_HEAD -> head + "X-Slow: ";
                case SLOW_BODY -> head + "Content-Length: 100000\r\n\r\n{\"model\":\"gpt-sim\",\"messages\":[";
                case SLOW_READER -> {
                    String body = "{\"model\":\"gpt-sim\",\"stream\":true,\"max_tokens\":" + readerMaxTokens
                            + ",\"messages\":[{\"role\":\"user\",\"content\":\"a long one\"}]}";
                    yield head + "Content-Length: " + body.length() + "\r\n\r\n" + body;
                }
            };
            socket.getOutputStream().write(HostileCase.latin1(first));
            socket.setSoTimeout(1);
            connection.socket = socket;
        } catch (IOException e) {
            connection.answer = "could not connect: " + e.getMessage();
        }
        return connection;
    }

    /** One byte out (head, body) or in (reader); notes when Sluice answers or closes. */
    void step(long elapsedMillis) {
        if (socket == null || closedAtMillis >= 0) {
            return;
        }
        try {
            if (kind != Kind.SLOW_READER) {
                int b = socket.getInputStream().read(new byte[256]);
                if (b != 0) { // an answer (a 4xx, a 408) or the end: either way Sluice let go
                    answer = b < 0 ? "closed" : "answered";
                    closedAtMillis = elapsedMillis;
                    return;
                }
            }
        } catch (SocketTimeoutException e) {
            // nothing from Sluice: as expected
        } catch (IOException e) {
            answer = "reset";
            closedAtMillis = elapsedMillis;
            return;
        }
        try {
            if (kind == Kind.SLOW_READER) {
                if (socket.getInputStream().read() < 0) {
                    answer = "stream ended";
                    closedAtMillis = elapsedMillis;
                    return;
                }
            } else {
                socket.getOutputStream().write(kind == Kind.SLOW_HEAD ? 'a' : ' ');
            }
            bytesMoved++;
        } catch (SocketTimeoutException e) {
            // no byte ready for the reader this tick
        } catch (IOException e) {
            answer = "reset";
            closedAtMillis = elapsedMillis;
        }
    }

    void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
