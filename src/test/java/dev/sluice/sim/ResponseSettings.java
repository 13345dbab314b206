package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a Responses API request sets beyond what every metered call has: echoed in its Response
 * object, and kept with it. The {@code *Json} fields are JSON values as the reply writes them
 * ({@code null} when absent).
 *
 * @param input                  the request's {@code input}, a string or a list of items: what
 *                               {@code GET /v1/responses/{id}/input_items} lists
 * @param instructionsJson       {@code instructions}
 * @param maxOutputTokensJson    {@code max_output_tokens} as given (the charge uses the default when absent)
 * @param previousResponseIdJson {@code previous_response_id}, echoed only: the simulator neither checks it
 *                               nor counts the earlier response's tokens into this one's input
 * @param store                  {@code store} (true when absent): whether the response is kept for later calls
 * @param background             {@code background}: only such a response may be cancelled
 */
record ResponseSettings(JsonNode input, String instructionsJson, String maxOutputTokensJson,
                        String previousResponseIdJson, boolean store, boolean background) {
}
