package dev.sluice.sim;

import java.nio.charset.StandardCharsets;

/** What the simulated provider charges a request against TPM on arrival, for tools that compare Sluice's estimate with it. */
public final class ProviderCharge {

    private ProviderCharge() {
    }

    /**
     * @param chat             a chat body, else an embeddings body
     * @param defaultMaxTokens what the provider assumes when a chat names no maximum
     * @return the tokens charged on arrival, and what the usage would report as prompt tokens
     * @throws IllegalArgumentException when the provider would refuse the body (a 400)
     */
    public static Charge of(boolean chat, String body, int defaultMaxTokens) {
        return of(chat ? Api.CHAT : Api.EMBEDDINGS, body, defaultMaxTokens);
    }

    /** The same for a Responses API body ({@code POST /v1/responses}); the usage's {@code input_tokens} as prompt tokens. */
    public static Charge ofResponses(String body, int defaultMaxTokens) {
        return of(Api.RESPONSES, body, defaultMaxTokens);
    }

    private static Charge of(Api api, String body, int defaultMaxTokens) {
        try {
            ApiRequest request = ApiRequest.parse(api, body.getBytes(StandardCharsets.UTF_8), defaultMaxTokens);
            return new Charge(request.tokenCost(), request.promptTokens());
        } catch (ApiRequest.BadRequest e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * @param onArrival    what the TPM bucket is charged when the request arrives
     * @param promptTokens the prompt as the usage reports it (the model's tokenizer)
     */
    public record Charge(long onArrival, long promptTokens) {
    }
}
