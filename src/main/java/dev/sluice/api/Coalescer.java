package dev.sluice.api;

import dev.sluice.upstream.UpstreamReply;
import io.smallrye.mutiny.Uni;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Identical requests in flight at once on this instance share one upstream call ({@code SLUICE_*_COALESCE}):
 * the first of them (the leader) is admitted and sent as usual; those that arrive while it is out (its
 * followers) charge no bucket and wait for its reply, which each gets as a copy marked
 * {@value #HEADER}{@code : true}. A failure (Sluice's 429, an upstream that cannot be reached) is shared
 * too: the followers are the same key asking the same thing. Whole replies only: a stream is the leader's.
 *
 * <p>Per instance: a fleet-wide "in flight" mark would cost every request a store round trip before it
 * could go, more than coalescing saves; across instances, the reply cache ({@code SLUICE_*_CACHE_TTL}) serves
 * what was asked a moment ago.
 */
final class Coalescer {

    static final String HEADER = "x-sluice-coalesced";

    /** A shared call: its reply, and whether this request leads it. */
    record Joined(Uni<UpstreamReply> reply, boolean leader) {
    }

    private final Map<String, Uni<UpstreamReply>> inFlight = new ConcurrentHashMap<>();

    /**
     * @param key  who asks and what: the caller's id and the request's digest
     * @param call the upstream call, made once for all who join while it is out
     */
    Joined join(String key, Supplier<Uni<UpstreamReply>> call) {
        boolean[] leads = {false};
        Uni<UpstreamReply> shared = inFlight.computeIfAbsent(key, absent -> {
            leads[0] = true;
            Object[] self = new Object[1];
            // memoized: every follower gets the one reply, and the call runs on even if the leader's caller hangs up
            Uni<UpstreamReply> once = Uni.createFrom().<UpstreamReply>deferred(call::get)
                    .onTermination().invoke(() -> inFlight.remove(absent, self[0]))
                    .memoize().indefinitely();
            self[0] = once;
            return once;
        });
        if (leads[0]) {
            return new Joined(shared, true);
        }
        // the leader's reply for a follower: its own copy of the body, and the mark
        return new Joined(shared.map(reply -> UpstreamReply.whole(reply.status(), reply.headers(), reply.body().copy())
                .withHeader(HEADER, "true")), false);
    }
}
