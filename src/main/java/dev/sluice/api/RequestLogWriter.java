package dev.sluice.api;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Handler;

/**
 * Publishes the request log's records from one thread of its own, every {@value #DRAIN_INTERVAL_MILLIS} ms,
 * instead of on the event loops that finish the requests. A record is made whole where its request ends
 * (time, thread name, message, MDC: {@link RequestLog}); only handing it to the log handlers moves.
 *
 * <p>Why: the console handler writes under a lock, one line at a time. Four event loops logging a line per
 * request contend for it, and a contended lock parks threads: under load, 0.6 futex calls a request
 * (strace, issue 20), each a context switch, against 0.04 with the request log off. Queued without a lock
 * and published by one thread, the handler's lock is never contended. Quarkus's own async console handler
 * was tried first: its queue takes a lock and wakes its thread for each record, and it made no measurable
 * difference. And written in batches, the lines cost a few large writes every interval instead of a {@code write}
 * system call each (the console handler flushes after every record): a 20 ms batch under load is a few hundred lines.
 *
 * <p>Never a line lost or held long: at most {@value #MOST_QUEUED} records wait (past that, a request's
 * thread publishes its own, which slows the requests instead of dropping the line); at shutdown the queue
 * is written out and lines are published directly from then on; on AWS Lambda, where an instance serves
 * one request at a time and may be frozen the moment it answers, they are always published directly.
 */
final class RequestLogWriter {

    static final long DRAIN_INTERVAL_MILLIS = 20;
    static final int MOST_QUEUED = 65_536;

    static final RequestLogWriter INSTANCE = new RequestLogWriter(Logger.getLogger(RequestLog.CATEGORY),
            ReplyWriter.RESPONSES_BUFFERED);

    private final Logger logger;
    private final ConcurrentLinkedQueue<ExtLogRecord> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final Object draining = new Object();
    private volatile boolean direct;
    private volatile Thread drainer;

    RequestLogWriter(Logger logger, boolean direct) {
        this.logger = logger;
        this.direct = direct;
    }

    void write(ExtLogRecord record) {
        if (direct || queued.get() >= MOST_QUEUED) {
            logger.logRaw(record);
            return;
        }
        queued.incrementAndGet();
        queue.add(record);
        if (drainer == null) {
            startDrainer();
        }
    }

    private synchronized void startDrainer() {
        if (drainer != null) {
            return;
        }
        Thread thread = new Thread(() -> {
            while (true) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(DRAIN_INTERVAL_MILLIS));
                writeQueued();
            }
        }, "sluice-request-log");
        thread.setDaemon(true);
        thread.start();
        drainer = thread;
    }

    /**
     * Publishes every record queued so far, on the calling thread (the drainer, shutdown, or a test about to read
     * the log), as one batch: the handlers' flush after every record is held for the batch and done once at its
     * end, so that a batch reaches the console in a few large writes rather than one {@code write} a line.
     */
    void writeQueued() {
        synchronized (draining) {
            if (queue.isEmpty()) {
                return;
            }
            List<ExtHandler> held = holdFlushes();
            try {
                ExtLogRecord record;
                while ((record = queue.poll()) != null) {
                    queued.decrementAndGet();
                    logger.logRaw(record);
                }
            } finally {
                for (ExtHandler handler : held) {
                    handler.setAutoFlush(true); // and flushes what the batch left in its buffer
                }
            }
        }
    }

    /**
     * Turns off auto-flush on every handler the request log's records reach (the logger's, its parents' while it
     * uses them, and theirs nested, such as Quarkus's console handler inside its delayed handler); returns those it
     * was on for. A line any other thread logs meanwhile goes into the same buffers, whole, and out with the
     * batch's flush a few milliseconds later.
     */
    private List<ExtHandler> holdFlushes() {
        List<ExtHandler> held = new ArrayList<>(4);
        for (java.util.logging.Logger node = logger; node != null; node = node.getParent()) {
            holdFlushes(node.getHandlers(), held);
            if (!node.getUseParentHandlers()) {
                break;
            }
        }
        return held;
    }

    private static void holdFlushes(Handler[] handlers, List<ExtHandler> held) {
        for (Handler handler : handlers) {
            if (handler instanceof ExtHandler ext) {
                if (ext.isAutoFlush()) {
                    ext.setAutoFlush(false);
                    held.add(ext);
                }
                holdFlushes(ext.getHandlers(), held);
            }
        }
    }

    /** Writes what is queued and publishes directly from now on: nothing may wait in a queue the JVM is about to drop. */
    void stopQueueing() {
        direct = true;
        writeQueued();
    }

    /** Quarkus's shutdown: the last lines out before the JVM goes. */
    @Singleton
    static class Shutdown {
        void onStop(@Observes ShutdownEvent event) {
            INSTANCE.stopQueueing();
        }
    }
}
