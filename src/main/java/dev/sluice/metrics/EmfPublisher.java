package dev.sluice.metrics;

import dev.sluice.config.SluiceSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.NamingConvention;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Writes Sluice's metrics ({@code sluice_*}, {@code gen_ai_*}) to standard output as CloudWatch Embedded
 * Metric Format lines every {@code SLUICE_METRICS_EMF_INTERVAL} and at shutdown, when that is set (the
 * Lambda template sets it): on Lambda nothing scrapes {@code /q/metrics}, and CloudWatch Logs turns these
 * lines into metrics with no agent. Counters, and the counts and sums of timers and distributions, are
 * written as what they gained since the last lines (nothing for what did not move); gauges as they are.
 * Straight to standard output, one line each: a log event must be the EMF object alone, which a JSON log
 * line wrapping it would not be.
 */
@ApplicationScoped
public class EmfPublisher {

    private final MeterRegistry registry;
    private final SluiceSettings.Metrics settings;
    private final Vertx vertx;
    private final PrintStream out = System.out;
    /** Per meter, what was already published: a counter's count, a timer's count and total. */
    private final Map<Meter.Id, double[]> published = new HashMap<>();
    private long timerId = -1;

    @Inject
    public EmfPublisher(MeterRegistry registry, SluiceSettings settings, Vertx vertx) {
        this.registry = registry;
        this.settings = settings.metrics();
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        settings.emfInterval().ifPresent(interval -> timerId = vertx.setPeriodic(Math.max(1, interval.toMillis()), id -> publish()));
    }

    void stop(@Observes ShutdownEvent event) {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
            publish();
        }
    }

    private void publish() {
        List<String> lines = lines(System.currentTimeMillis());
        synchronized (out) {
            lines.forEach(out::println);
        }
    }

    /** The lines for what moved since the last call. */
    public synchronized List<String> lines(long epochMillis) {
        List<EmfLines.Sample> samples = new ArrayList<>();
        for (Meter meter : registry.getMeters()) {
            String name = meter.getId().getName();
            if (!name.startsWith("sluice.") && !name.startsWith("gen_ai.")) {
                continue;
            }
            String base = NamingConvention.snakeCase.name(name, meter.getId().getType());
            Map<String, String> dimensions = dimensions(meter.getId().getTags());
            if (meter instanceof Counter counter) {
                double[] gained = gained(meter.getId(), counter.count());
                add(samples, base + "_total", "Count", dimensions, gained[0]);
            } else if (meter instanceof Timer timer) {
                double[] gained = gained(meter.getId(), timer.count(), timer.totalTime(TimeUnit.MILLISECONDS));
                add(samples, base + "_count", "Count", dimensions, gained[0]);
                add(samples, base + "_sum", "Milliseconds", dimensions, gained[1]);
            } else if (meter instanceof DistributionSummary summary) {
                double[] gained = gained(meter.getId(), summary.count(), summary.totalAmount());
                add(samples, base + "_count", "Count", dimensions, gained[0]);
                add(samples, base + "_sum", "None", dimensions, gained[1]);
            } else if (meter instanceof Gauge gauge) {
                samples.add(new EmfLines.Sample(base, "None", dimensions, gauge.value()));
            }
        }
        return EmfLines.of(samples, epochMillis);
    }

    private static void add(List<EmfLines.Sample> samples, String name, String unit, Map<String, String> dimensions, double gained) {
        if (gained > 0) {
            samples.add(new EmfLines.Sample(name, unit, dimensions, gained));
        }
    }

    /** What each value gained since it was last published; remembers the new values. */
    private double[] gained(Meter.Id id, double... now) {
        double[] before = published.put(id, now.clone());
        double[] gained = new double[now.length];
        for (int i = 0; i < now.length; i++) {
            gained[i] = before == null ? now[i] : now[i] - before[i];
        }
        return gained;
    }

    /** Tags as dimensions, in snake case; an empty value (no error) is left out, as CloudWatch has no empty dimension. */
    private static Map<String, String> dimensions(List<Tag> tags) {
        Map<String, String> dimensions = new LinkedHashMap<>();
        for (Tag tag : tags) {
            if (!tag.getValue().isEmpty()) {
                dimensions.put(NamingConvention.snakeCase.tagKey(tag.getKey()), tag.getValue());
            }
        }
        return dimensions;
    }
}
