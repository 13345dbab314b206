package dev.sluice.sim;

/** The metered endpoints: each is charged its input's estimate and its most output tokens against TPM on arrival. */
enum Api {
    /** {@code POST /v1/chat/completions} */
    CHAT,
    /** {@code POST /v1/embeddings}: input only */
    EMBEDDINGS,
    /** {@code POST /v1/responses} */
    RESPONSES
}
