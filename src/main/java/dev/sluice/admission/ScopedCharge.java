package dev.sluice.admission;

import dev.sluice.limit.BucketCharge;

import java.util.Objects;

/** One charge of an admission, with the limit it stands for: what a refusal by it is called. */
public record ScopedCharge(LimitScope scope, BucketCharge charge) {

    public ScopedCharge {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(charge, "charge");
    }
}
