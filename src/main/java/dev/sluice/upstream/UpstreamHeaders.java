package dev.sluice.upstream;

import java.util.function.BiConsumer;

/**
 * The request headers sent upstream; a {@code null} one is not sent. Sluice does not disguise its
 * callers: their own User-Agent goes upstream as it came.
 */
public final class UpstreamHeaders {

    public static final String AUTHORIZATION = "Authorization";
    public static final String USER_AGENT = "User-Agent";
    public static final String ORGANIZATION = "OpenAI-Organization";
    public static final String PROJECT = "OpenAI-Project";
    public static final String BETA = "OpenAI-Beta";

    private final String authorization;

    private final String userAgent;

    private final String organization;

    private final String project;

    private final String beta;

    /**
     * @param bearerToken  the key the upstream sees: the caller's own, or Sluice's in managed mode
     * @param userAgent    the caller's User-Agent, or {@code null}
     * @param organization {@code OpenAI-Organization}, only with the caller's own key
     * @param project      {@code OpenAI-Project}, only with the caller's own key
     * @param beta         {@code OpenAI-Beta}: opts into API features, whoever's key it is
     */
    public UpstreamHeaders(String bearerToken, String userAgent, String organization, String project, String beta) {
        this.authorization = "Bearer " + bearerToken;
        this.userAgent = userAgent;
        this.organization = organization;
        this.project = project;
        this.beta = beta;
    }

    /** The same headers with Sluice's key for an upstream (managed mode): the caller's organization and project do not belong to it. */
    public UpstreamHeaders withKey(String apiKey) {
        return new UpstreamHeaders(apiKey, userAgent, null, null, beta);
    }

    /** Each header to send, by name ({@code null} ones are not sent): for a client that takes them one by one. */
    public void forEach(BiConsumer<String, String> sink) {
        sink.accept(AUTHORIZATION, authorization);
        putIfPresent(sink, USER_AGENT, userAgent);
        putIfPresent(sink, ORGANIZATION, organization);
        putIfPresent(sink, PROJECT, project);
        putIfPresent(sink, BETA, beta);
    }

    private static void putIfPresent(BiConsumer<String, String> sink, String name, String value) {
        if (value != null) {
            sink.accept(name, value);
        }
    }

    public String authorization() {
        return authorization;
    }

    public String userAgent() {
        return userAgent;
    }

    public String organization() {
        return organization;
    }

    public String project() {
        return project;
    }

    public String beta() {
        return beta;
    }

    @Override
    public String toString() { // never the key
        return "UpstreamHeaders[userAgent=" + userAgent + "]";
    }
}
