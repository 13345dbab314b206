package dev.sluice.tokens;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;

import java.util.List;
import java.util.Locale;

/**
 * The tokenizer a model is expected to use, chosen by the model's family (a name prefix).
 *
 * <ul>
 *   <li>{@code o200k_base}: {@code gpt-4o*}, {@code chatgpt-4o*}, {@code gpt-4.1*}, {@code gpt-4.5*},
 *       {@code gpt-5*}, {@code o1*}, {@code o3*}, {@code o4*}.</li>
 *   <li>{@code cl100k_base}: {@code gpt-4*}, {@code gpt-3.5*}, {@code text-embedding-*}, and every
 *       model not listed. Most OpenAI-compatible servers (vLLM, Ollama, Azure, proxies to Llama or
 *       Mistral models) use tokenizers whose counts are close to cl100k's, and an estimate is only a
 *       reservation: the usage the upstream reports corrects it afterwards.</li>
 * </ul>
 *
 * A provider prefix ({@code openai/gpt-4o}) and a fine-tune prefix ({@code ft:gpt-4o-mini:org::id}) are
 * ignored; dated snapshots ({@code gpt-4o-2024-08-06}) match by prefix.
 *
 * <p>Thread-safe. Loading both encodings reads about 5 MB of ranks, takes about 0.7 s and keeps
 * about 45 MB of heap, so it happens once, in the constructor, rather than on the first request.
 */
final class ModelEncodings {

    private static final List<String> O200K_FAMILIES =
            List.of("gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4");

    private final Encoding cl100k;
    private final Encoding o200k;

    ModelEncodings() {
        // The lazy registry loads only what is asked for: p50k/r50k are never read (nor in the native image).
        EncodingRegistry registry = Encodings.newLazyEncodingRegistry();
        cl100k = registry.getEncoding(EncodingType.CL100K_BASE);
        o200k = registry.getEncoding(EncodingType.O200K_BASE);
    }

    /** @param model the {@code model} of a request, as the caller sent it */
    Encoding forModel(String model) {
        String name = familyName(model);
        for (String family : O200K_FAMILIES) {
            if (name.startsWith(family)) {
                return o200k;
            }
        }
        return cl100k;
    }

    private static String familyName(String model) {
        String name = model.substring(model.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        return name.startsWith("ft:") ? name.substring(3) : name;
    }
}
