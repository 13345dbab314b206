package dev.sluice.api;

/**
 * Why a test is left out of the lambda profile's run ({@code mvn verify -Plambda}, system property
 * {@code test.lambda}), where RestAssured reaches Sluice through Quarkus's mock Lambda event server.
 */
final class LambdaProfile {

    static final String PROPERTY = "test.lambda";

    /** Needs a socket to Sluice: on Lambda there is none, API Gateway hands over whole responses. */
    static final String NO_SOCKET = "on Lambda the caller has no connection to Sluice, only API Gateway's whole responses";

    /**
     * Needs requests in flight at once in one instance. A Lambda instance takes one request at a
     * time (the mock event server likewise queues them); concurrent callers get other instances.
     */
    static final String ONE_AT_A_TIME = "a Lambda instance serves one request at a time";

    private LambdaProfile() {
    }
}
