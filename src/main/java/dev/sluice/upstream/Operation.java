package dev.sluice.upstream;

/** The OpenAI operations Sluice relays, each with its path below the upstream's base URL. */
public enum Operation {
    CHAT_COMPLETIONS("/chat/completions"),
    COMPLETIONS("/completions"),
    EMBEDDINGS("/embeddings"),
    MODELS("/models");

    private final String path;

    Operation(String path) {
        this.path = path;
    }

    /** The path relative to the base URL, e.g. {@code /chat/completions}. */
    public String path() {
        return path;
    }

    /** The path callers use, e.g. {@code /v1/chat/completions}. */
    public String publicPath() {
        return "/v1" + path;
    }
}
