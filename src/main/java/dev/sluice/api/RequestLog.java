package dev.sluice.api;

import dev.sluice.admission.LimitScope;
import dev.sluice.metrics.SluiceMetrics;
import dev.sluice.openai.Operation;
import dev.sluice.upstream.UpstreamFailure;
import dev.sluice.upstream.UpstreamReply;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Logger;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;

/**
 * One log line per request, written when the request is over (for a stream: when it ends). The
 * fields also go to the record's MDC, so JSON logs carry them as structured fields. Only the short caller
 * hash is logged: never a key, a bearer token or any prompt content.
 *
 * <p>The record is made here, whole, and published by {@link RequestLogWriter} off the event loop; its
 * fields are put in its own copy of the MDC (with whatever the thread's MDC
 * holds, such as a trace id), not put in the thread's MDC and taken out again: twenty writes to the
 * event loop's context-local MDC a request were a tenth of the log's cost (issue 20).
 */
public final class RequestLog {

    static final String CATEGORY = "dev.sluice.request";
    private static final Logger LOG = Logger.getLogger(CATEGORY);

    private final long startNanos = System.nanoTime();
    /** The request's trace, when traces are on ({@link dev.sluice.config.TracingSwitch}); null otherwise. */
    private final String traceId = traceId();
    private final String method;
    private final String path;
    private String caller = "-";
    private String model = "-";
    private boolean stream;
    private String outcome = "rejected";
    private int upstreamStatus = -1;
    private String upstream = "-";
    private String plan;
    private boolean modelKnown;
    private SluiceMetrics metrics;
    private Operation operation;

    public RequestLog(String method, String path) {
        this.method = method;
        this.path = path;
    }

    /** The line's request is also counted in the metrics when it finishes, as an {@code operation}. */
    public RequestLog measured(SluiceMetrics metrics, Operation operation) {
        this.metrics = metrics;
        this.operation = operation;
        return this;
    }

    public void caller(CallerIdentity identity) {
        caller = identity.shortId();
        plan = identity.plan().name();
    }

    public void request(String model, boolean stream) {
        this.model = model;
        this.modelKnown = true;
        this.stream = stream;
    }

    /** A stream's first chunk is on its way to the caller. */
    public void firstChunk() {
        if (metrics != null && modelKnown) {
            metrics.firstToken(operation, model, System.nanoTime() - startNanos);
        }
    }

    public void admitted(long waitedNanos) {
        outcome = waitedNanos == 0 ? "admitted" : "waited " + TimeUnit.NANOSECONDS.toMillis(waitedNanos) + " ms";
    }

    public void refused(LimitScope scope) {
        outcome = "refused by " + scope.id();
    }

    /** The request shared the upstream call of an identical one in flight ({@link Coalescer}). */
    public void coalesced() {
        outcome = "coalesced";
        upstream = "shared";
    }

    /** The request was answered from the reply cache. */
    public void cached() {
        outcome = "cached";
        upstream = "cache";
    }

    /** A deny rule refused the request: its name, never the text it matched. */
    public void denied(String rule) {
        outcome = "denied by rule " + rule;
    }

    /** The upstream that gave the answer (the last attempt's). */
    public void upstream(String name) {
        upstream = name;
    }

    public void upstreamStatus(int status) {
        upstreamStatus = status;
    }

    /**
     * Follows a reply to its end: a whole one is logged now, a stream once it has been relayed to its end, broke
     * off, or its caller hung up (and its first chunk is noted on the way).
     */
    UpstreamReply follow(UpstreamReply reply) {
        upstreamStatus(reply.status());
        if (!reply.isStream()) {
            finish(reply.status(), null);
            return reply;
        }
        AtomicBoolean first = new AtomicBoolean(true);
        return reply.withStream(reply.stream().invoke(chunk -> {
            if (first.get() && first.compareAndSet(true, false)) {
                firstChunk();
            }
        }).onTermination().invoke((failure, cancelled) -> finish(reply.status(),
                failure != null ? "upstream broke off: " + failure.getClass().getSimpleName()
                        : cancelled ? "caller went away" : null)));
    }

    /** The request failed before a reply: logged with the status the caller gets, and the limit that refused it. */
    void failed(Throwable failure) {
        if (failure instanceof RateLimitedException refused) {
            refused(refused.scope());
        }
        finish(ErrorMappers.statusOf(failure), failure instanceof UpstreamFailure ? failure.getMessage() : null);
    }

    /** Writes the line; {@code status} is what the caller got, {@code detail} any note on how it ended. */
    public void finish(int status, String detail) {
        long latencyNanos = System.nanoTime() - startNanos;
        if (metrics != null) {
            metrics.requestFinished(operation, modelKnown ? model : null, plan, status, outcomeKind(status), latencyNanos);
        }
        if (!LOG.isLoggable(Level.INFO)) {
            return;
        }
        long latencyMillis = TimeUnit.NANOSECONDS.toMillis(latencyNanos);
        String upstreamStatusText = upstreamStatus < 0 ? "-" : Integer.toString(upstreamStatus);
        StringBuilder line = new StringBuilder(160).append(method).append(' ').append(path).append(' ')
                .append(status).append(' ').append(latencyMillis).append(" ms caller=").append(caller)
                .append(" model=").append(model).append(" stream=").append(stream).append(' ').append(outcome)
                .append(" upstream=").append(upstreamStatusText)
                .append(" via=").append(upstream);
        if (traceId != null) {
            line.append(" trace=").append(traceId);
        }
        if (detail != null) {
            line.append(" (").append(detail).append(')');
        }
        ExtLogRecord record = new ExtLogRecord(Level.INFO, line.toString(), ExtLogRecord.FormatStyle.NO_FORMAT,
                RequestLog.class.getName());
        record.setLoggerName(CATEGORY);
        record.putMdc("caller", caller);
        record.putMdc("method", method);
        record.putMdc("path", path);
        record.putMdc("model", model);
        record.putMdc("stream", Boolean.toString(stream));
        record.putMdc("outcome", outcome);
        record.putMdc("upstream", upstream);
        record.putMdc("upstream_status", upstreamStatusText);
        record.putMdc("status", Integer.toString(status));
        record.putMdc("latency_ms", Long.toString(latencyMillis));
        if (traceId != null) {
            record.putMdc("trace_id", traceId);
        }
        RequestLogWriter.INSTANCE.write(record);
    }

    /** The trace of the span current where the request arrives (the HTTP server's), when one is recorded. */
    private static String traceId() {
        SpanContext span = Span.current().getSpanContext();
        return span.isValid() ? span.getTraceId() : null;
    }

    /** The outcome as metrics count it: {@code admitted}, {@code refused}, {@code rejected} or {@code failed}. */
    private String outcomeKind(int status) {
        if (outcome.startsWith("refused")) {
            return "refused";
        }
        if (outcome.equals("rejected")) {
            return "rejected";
        }
        return status < 400 ? "admitted" : "failed";
    }
}
