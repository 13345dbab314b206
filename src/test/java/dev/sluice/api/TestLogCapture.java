package dev.sluice.api;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps every log record written while it is installed, with its formatted message, MDC and
 * exception text, so that a test can search all of it.
 */
public final class TestLogCapture extends Handler implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();

    public static TestLogCapture install() {
        RequestLogWriter.INSTANCE.writeQueued(); // lines of requests before this capture are not its
        TestLogCapture capture = new TestLogCapture();
        Logger.getLogger("").addHandler(capture);
        return capture;
    }

    @Override
    public void publish(LogRecord record) {
        StringBuilder line = new StringBuilder(record.getLoggerName()).append(' ');
        String message = record.getMessage();
        Object[] parameters = record.getParameters();
        if (message != null && parameters != null && parameters.length > 0) {
            try {
                message = String.format(message, parameters);
            } catch (RuntimeException e) {
                message = message + " " + List.of(parameters);
            }
        }
        line.append(message);
        if (record instanceof org.jboss.logmanager.ExtLogRecord ext) {
            line.append(" mdc=").append(ext.getMdcCopy());
            line.append(' ').append(ext.getFormattedMessage());
        }
        for (Throwable thrown = record.getThrown(); thrown != null; thrown = thrown.getCause()) {
            line.append(" thrown=").append(thrown);
        }
        lines.add(line.toString());
        if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
            errors.add(line.toString());
        }
    }

    /** Every line so far, the request log's queued lines included (RequestLogWriter publishes them every few ms). */
    public List<String> lines() {
        RequestLogWriter.INSTANCE.writeQueued();
        return List.copyOf(lines);
    }

    /** The lines logged at ERROR (or above). */
    public List<String> errors() {
        RequestLogWriter.INSTANCE.writeQueued();
        return List.copyOf(errors);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
