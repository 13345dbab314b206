package dev.sluice.openai;

/**
 * The OpenAI operations Sluice relays, each with its path: the one place the paths are declared
 * ({@link Paths} holds them as constants for the JAX-RS annotations of the resource and the REST
 * client, which cannot read an enum).
 */
public enum Operation {
    CHAT_COMPLETIONS(Paths.CHAT_COMPLETIONS),
    COMPLETIONS(Paths.COMPLETIONS),
    EMBEDDINGS(Paths.EMBEDDINGS),
    /** The Responses API's create call; the calls on a response it created go by its id ({@code ObjectRoute}). */
    RESPONSES(Paths.RESPONSES),
    /** Metered by its input, like embeddings; its {@code model} may be left out ({@link #DEFAULT_MODERATION_MODEL}). */
    MODERATIONS(Paths.MODERATIONS),
    MODELS(Paths.MODELS);

    /** The paths, as compile-time constants. */
    public static final class Paths {
        /** Where callers find the API, and where an upstream's base URL usually ends. */
        public static final String VERSION = "/v1";
        public static final String CHAT_COMPLETIONS = "/chat/completions";
        public static final String COMPLETIONS = "/completions";
        public static final String EMBEDDINGS = "/embeddings";
        public static final String RESPONSES = "/responses";
        public static final String MODERATIONS = "/moderations";
        public static final String MODELS = "/models";

        private Paths() {
        }
    }

    /** What OpenAI uses for a moderation that names no model (API reference, "Create moderation"). */
    public static final String DEFAULT_MODERATION_MODEL = "omni-moderation-latest";

    private final String path;

    Operation(String path) {
        this.path = path;
    }

    /** The path relative to the base URL, e.g. {@code /chat/completions}. */
    public String path() {
        return path;
    }

    /** The operation callers reach at {@code publicPath}, if any. */
    public static java.util.Optional<Operation> ofPublicPath(String publicPath) {
        for (Operation operation : values()) {
            if (operation.publicPath().equals(publicPath)) {
                return java.util.Optional.of(operation);
            }
        }
        return java.util.Optional.empty();
    }

    /** A model call: POSTed with a JSON body, and admitted against every limit that applies (all but the model list). */
    public boolean metered() {
        return this != MODELS;
    }

    /** The path callers use, e.g. {@code /v1/chat/completions}. */
    public String publicPath() {
        return Paths.VERSION + path;
    }
}
