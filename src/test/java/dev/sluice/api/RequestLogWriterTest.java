package dev.sluice.api;

import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Logger;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.jboss.logmanager.handlers.OutputStreamHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/** The request log's writer: queued lines reach the handlers whole, in order, in a few writes a batch, not one a line. */
class RequestLogWriterTest {

    private static final int LINES = 200;

    private final Logger logger = Logger.getLogger("dev.sluice.test.request-log-writer");
    private final WriteCountingStream out = new WriteCountingStream();
    /** The shape Quarkus gives the console: a handler nested in another, both flushing after every record. */
    private final OutputStreamHandler console = new OutputStreamHandler(out, new PatternFormatter("%s%n"));
    private final ExtHandler delayed = new ExtHandler() {
        @Override
        protected void doPublish(ExtLogRecord record) {
            publishToNestedHandlers(record);
            super.doPublish(record);
        }
    };

    RequestLogWriterTest() {
        console.setAutoFlush(true);
        delayed.setAutoFlush(true);
        delayed.addHandler(console);
        logger.setUseParentHandlers(false);
        logger.addHandler(delayed);
    }

    @AfterEach
    void detach() {
        logger.removeHandler(delayed);
    }

    @Test
    void aBatchIsWrittenWholeInAFewWritesAndTheHandlersFlushAfterEveryRecordAgain() {
        RequestLogWriter writer = new RequestLogWriter(logger, false);
        for (int i = 0; i < LINES; i++) {
            writer.write(record("request " + i));
        }
        writer.writeQueued();

        assertThat(out.text().lines()).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, LINES).mapToObj(i -> "request " + i).toList());
        // ~2,600 bytes: one write for each batch the drainer (every 20 ms) may have cut it into, never one a line
        assertThat(out.writes.get()).isBetween(1, 5);
        assertThat(console.isAutoFlush()).isTrue();
        assertThat(delayed.isAutoFlush()).isTrue();

        int before = out.writes.get();
        logger.logRaw(record("logged directly"));
        assertThat(out.writes.get()).as("a line logged outside a batch is written at once, as before").isEqualTo(before + 1);
    }

    @Test
    void directWritersNeitherQueueNorHoldFlushes() {
        RequestLogWriter writer = new RequestLogWriter(logger, true);
        writer.write(record("at once"));
        assertThat(out.text()).isEqualTo("at once" + System.lineSeparator());
        assertThat(out.writes.get()).isEqualTo(1);
    }

    private ExtLogRecord record(String message) {
        ExtLogRecord record = new ExtLogRecord(Level.INFO, message, ExtLogRecord.FormatStyle.NO_FORMAT, getClass().getName());
        record.setLoggerName(logger.getName());
        return record;
    }

    private static final class WriteCountingStream extends OutputStream {
        final AtomicInteger writes = new AtomicInteger();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            writes.incrementAndGet();
            bytes.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            writes.incrementAndGet();
            bytes.write(b, off, len);
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
