package dev.sluice.upstream;

import dev.sluice.openai.Operation;

import java.util.OptionalInt;

/** Hears every attempt an upstream makes, when its answer's head (or its failure) is in: what metrics count. */
public interface AttemptListener {

    /** Hears nothing: for tests that build upstreams by hand. */
    AttemptListener NONE = (upstream, operation, status, nanos) -> {
    };

    /**
     * @param status the upstream's HTTP status; empty when no answer came (no connection, timeout, breaker open)
     * @param nanos  from sending the attempt to its answer's head or its failure
     */
    void attempted(Upstream upstream, Operation operation, OptionalInt status, long nanos);
}
