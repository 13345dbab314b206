package dev.sluice.api;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Logger;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

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
 * difference.
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

    private RequestLogWriter(Logger logger, boolean direct) {
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

    /** Publishes every record queued so far, on the calling thread (the drainer, shutdown, or a test about to read the log). */
    void writeQueued() {
        synchronized (draining) {
            ExtLogRecord record;
            while ((record = queue.poll()) != null) {
                queued.decrementAndGet();
                logger.logRaw(record);
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
