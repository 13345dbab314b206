package dev.sluice.upstream;

import dev.sluice.config.Plan;
import dev.sluice.config.SluiceSettings;
import dev.sluice.config.UpstreamSettings;
import dev.sluice.limit.TimeSource;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;

/**
 * Every configured upstream, and which of them may serve a caller's request: those that serve the
 * model, among those the caller is pinned to (or, for a caller pinned nowhere, those that pin nobody).
 */
@ApplicationScoped
public class UpstreamPool {

    private final List<Upstream> upstreams;
    /** No upstream restricts its models: every caller's upstreams serve every model. */
    private final boolean allServeEveryModel;

    @Inject
    /** @param clock the limiter's, so that the upstreams' outlooks keep time with the buckets (and a test clock moves both) */
    public UpstreamPool(SluiceSettings settings, Vertx vertx, TimeSource clock, AttemptListener attempts) {
        List<Upstream> built = new ArrayList<>();
        for (UpstreamSettings upstream : settings.upstreams()) {
            built.add(new Upstream(upstream, settings.resilience(), new UpstreamCaller(upstream, settings, vertx), clock,
                    attempts));
        }
        this.upstreams = List.copyOf(built);
        this.allServeEveryModel = upstreams.stream().allMatch(upstream -> upstream.settings().models().isEmpty());
    }

    public List<Upstream> all() {
        return upstreams;
    }

    /** The upstreams a plan's callers may use at all (for any model). */
    public List<Upstream> forPlan(Plan plan) {
        if (plan.upstreams().isEmpty()) {
            return upstreams;
        }
        return upstreams.stream().filter(upstream -> plan.allowsUpstream(upstream.name())).toList();
    }

    /** The upstreams that may serve a request of a plan's caller for {@code model}; empty when none does. */
    public List<Upstream> candidates(Plan plan, String model) {
        List<Upstream> allowed = forPlan(plan);
        if (allServeEveryModel) {
            return allowed; // the common case, one upstream or a plain pool: nothing to filter, nothing to allocate
        }
        List<Upstream> serving = new ArrayList<>(allowed.size());
        for (Upstream upstream : allowed) {
            if (upstream.settings().serves(model)) {
                serving.add(upstream);
            }
        }
        return serving;
    }

    @PreDestroy
    void close() {
        upstreams.forEach(Upstream::close);
    }
}
