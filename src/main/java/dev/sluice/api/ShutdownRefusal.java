package dev.sluice.api;

import dev.sluice.limit.TimeSource;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * After {@code SIGTERM}, new requests get a 503 in OpenAI's shape with {@code Retry-After} and
 * {@code Connection: close}, so that a client (OpenAI's SDKs retry a 503) tries again on a new
 * connection, which reaches another instance; requests already in flight, streams included, go on
 * until they end or {@code QUARKUS_SHUTDOWN_TIMEOUT} is up. Quarkus's own graceful shutdown only waits
 * for requests in flight: it lets new ones in too.
 *
 * <p>With {@code QUARKUS_SHUTDOWN_DELAY} set, requests are still served that long after the signal
 * (readiness already reports down), for a platform whose routing learns of the stop only from the
 * readiness probe or the endpoints' update. {@code /q/*} (health, metrics) is always served.
 *
 * <p>Quarkus tells of the signal with {@link ShutdownDelayInitiatedEvent}, fired before it waits for
 * requests in flight, when {@code quarkus.shutdown.delay-enabled} is set at build time
 * (application.properties does).
 */
@ApplicationScoped
public class ShutdownRefusal {

    private static final Logger LOG = Logger.getLogger(ShutdownRefusal.class);
    /** A retry in a second goes, on a new connection, to an instance that is not stopping. */
    static final String RETRY_AFTER_SECONDS = "1";
    /** First of Sluice's filters: a stopping instance does no other work for a new request. */
    static final int PRIORITY = RequestHeadLimits.PRIORITY + 10;

    private static final long NOT_STOPPING = Long.MAX_VALUE;

    private final TimeSource time;
    private final long delayNanos;
    /** From when (TimeSource nanoseconds) new requests are refused; {@link #NOT_STOPPING} until the signal. */
    private volatile long refusingFromNanos = NOT_STOPPING;

    public ShutdownRefusal(TimeSource time, @ConfigProperty(name = "quarkus.shutdown.delay") Optional<Duration> delay) {
        this.time = time;
        this.delayNanos = delay.map(Duration::toNanos).orElse(0L);
    }

    void stopping(@Observes ShutdownDelayInitiatedEvent event) {
        refusingFromNanos = time.nowNanos() + delayNanos;
        LOG.infof("Stopping: new requests get 503 %s; requests in flight may finish",
                delayNanos == 0 ? "from now" : "after " + Duration.ofNanos(delayNanos));
    }

    /** Whether a new request now is refused: from the signal on, once the delay is over. */
    boolean refusing() {
        return time.nowNanos() >= refusingFromNanos;
    }

    void register(@Observes Filters filters, EdgeErrors errors) {
        ErrorBody stopping = ErrorBody.of("This Sluice instance is shutting down; retry the request.",
                GatewayException.SERVER_ERROR, null, "shutting_down");
        filters.register(context -> {
            if (refusing() && !context.request().path().startsWith("/q/")) {
                errors.refuse(context.request(), 503, stopping, Map.of("Retry-After", RETRY_AFTER_SECONDS));
                return;
            }
            context.next();
        }, PRIORITY);
    }
}
