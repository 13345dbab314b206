package dev.sluice.api;

import dev.sluice.owners.ObjectOwners;
import dev.sluice.owners.Owner;
import dev.sluice.upstream.Upstream;
import io.smallrye.mutiny.Uni;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The ownership rule for a call that names objects (in its path or its body): each must be the caller's,
 * and the call goes to the upstream that holds them. In managed mode an object Sluice has no record of is
 * nobody's; with callers' own keys the upstream keeps callers apart itself, so such an object is left to it.
 */
final class ObjectAccess {

    private ObjectAccess() {
    }

    /**
     * The upstreams the call may go to, once the owners of {@code ids} are known.
     *
     * @param ids  the objects it names, the one in its path first
     * @param open the upstreams open to the caller (for a model: those that serve it)
     * @return completes with {@code open}, or the one upstream holding the objects; fails with a 404 in
     *         OpenAI's words, the same whether an object is another caller's or nobody's
     */
    static Uni<List<Upstream>> upstreamsFor(ObjectOwners owners, CallerIdentity caller, List<String> ids, List<Upstream> open) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(open);
        }
        return lookedUp(owners.findAll(ids)).map(found -> decide(caller, ids, found, open));
    }

    /**
     * A call on the owner store, whose failure is the caller's 503, as the bucket store's is: with owners
     * unknown, no object may be reached (the safe side), and the caller may try again shortly.
     */
    static <T> Uni<T> lookedUp(java.util.concurrent.CompletionStage<T> call) {
        return Uni.createFrom().completionStage(call).onFailure(failure -> !(failure instanceof GatewayException))
                .transform(failure -> new GatewayException(503, "Sluice cannot reach the store of who owns which object right "
                        + "now; try again shortly.", GatewayException.SERVER_ERROR, null, "store_unavailable", Map.of("retry-after", "1")));
    }

    static List<Upstream> decide(CallerIdentity caller, Collection<String> ids, Map<String, Owner> found, List<Upstream> open) {
        boolean managed = open.stream().allMatch(Upstream::managed);
        String holder = null;
        for (String id : ids) {
            Owner owner = found.get(id);
            if (owner == null ? managed : !owner.callerId().equals(caller.id())) {
                throw noSuchObject(id);
            }
            if (owner != null && holder == null) {
                holder = owner.upstream();
            }
        }
        if (holder == null) {
            // only objects made outside Sluice (callers' own keys): the caller's first upstream, always the same one
            return ids.isEmpty() ? open : List.of(open.get(0));
        }
        String upstream = holder;
        List<Upstream> holding = open.stream().filter(candidate -> candidate.name().equals(upstream)).toList();
        if (holding.isEmpty()) { // its upstream is no longer open to the caller, or does not serve the model asked for
            throw noSuchObject(ids.iterator().next());
        }
        return holding;
    }

    static GatewayException noSuchObject(String id) {
        return GatewayException.invalidRequest(404, "No such object: '" + id + "'.", null, "not_found");
    }
}
