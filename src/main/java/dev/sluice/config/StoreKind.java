package dev.sluice.config;

/** Where the buckets live. */
public enum StoreKind {
    /** In this instance: right for one instance; several each enforce the full limits. */
    MEMORY,
    /** In an Infinispan server shared by every instance. */
    INFINISPAN
}
