package dev.sluice.upstream;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleSupplier;

/**
 * The order in which a request tries upstreams: first those that can take it now (by their outlook),
 * the one with the most capacity left first, so that load spreads rather than draining one key before
 * the next; among equals, a weighted random pick (weight 2 comes first twice as often as weight 1).
 * Then those that cannot take it now (paused, out of capacity), earliest first: still tried, in case the
 * outlook is stale, or for a hold until they can. Upstreams the request already failed on come last:
 * another upstream, even a little later, is a better bet than the one that just failed. Upstreams whose
 * circuit breaker would refuse the call are left out while any other remains: an admission there would
 * only end in a 503. Pure: time and randomness are passed in.
 */
public final class UpstreamChoice {

    /** Capacity shares closer than this count as equal, so that weights decide between nearly-full upstreams. */
    static final double CAPACITY_STEP = 0.1;

    private UpstreamChoice() {
    }

    /** What the choice needs to know of an upstream. */
    public interface Candidate {
        String name();

        int weight();

        UpstreamOutlook outlook();
    }

    /**
     * @param failed names of the upstreams this request already failed on
     * @param random uniform values in [0, 1)
     */
    public static <T extends Candidate> List<T> order(List<T> candidates, String model, Set<String> failed, long nowNanos,
            DoubleSupplier random) {
        if (candidates.size() == 1) {
            return candidates;
        }
        List<T> callable = new ArrayList<>(candidates.size());
        for (T candidate : candidates) {
            if (!candidate.outlook().breakerRefuses(nowNanos)) {
                callable.add(candidate);
            }
        }
        if (callable.isEmpty()) {
            callable = candidates; // every breaker refuses: the caller hears so from them
        }
        List<Ranked<T>> ranked = new ArrayList<>(callable.size());
        for (T candidate : callable) {
            long availableAt = candidate.outlook().availableAtNanos(model, nowNanos);
            int group = failed.contains(candidate.name()) ? 2 : availableAt > nowNanos ? 1 : 0;
            long capacityStep = (long) Math.floor(candidate.outlook().capacityLeft() / CAPACITY_STEP + 1e-9);
            // Efraimidis–Spirakis: u^(1/w) orders a weighted random sample
            double lottery = Math.pow(Math.max(random.getAsDouble(), Double.MIN_VALUE), 1.0 / candidate.weight());
            ranked.add(new Ranked<>(candidate, group, Math.max(availableAt, nowNanos), capacityStep, lottery));
        }
        ranked.sort(Comparator.<Ranked<T>>comparingInt(r -> r.group)
                .thenComparingLong(r -> r.availableAtNanos)
                .thenComparing(Comparator.<Ranked<T>>comparingLong(r -> r.capacityStep).reversed())
                .thenComparing(Comparator.<Ranked<T>>comparingDouble(r -> r.lottery).reversed()));
        List<T> ordered = new ArrayList<>(ranked.size());
        ranked.forEach(r -> ordered.add(r.candidate));
        return ordered;
    }

    /** Whether an upstream other than those failed could take a request for {@code model} now. */
    public static boolean anotherAvailable(List<? extends Candidate> candidates, String model, Set<String> failed,
            long nowNanos) {
        for (Candidate candidate : candidates) {
            if (!failed.contains(candidate.name()) && candidate.outlook().availableAtNanos(model, nowNanos) <= nowNanos
                    && !candidate.outlook().breakerRefuses(nowNanos)) {
                return true;
            }
        }
        return false;
    }

    private record Ranked<T>(T candidate, int group, long availableAtNanos, long capacityStep, double lottery) {
    }
}
