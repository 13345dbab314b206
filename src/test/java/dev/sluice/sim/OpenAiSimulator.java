package dev.sluice.sim;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A simulated OpenAI API on 127.0.0.1 that behaves like the real one where a rate-limiting gateway
 * cares: per-key RPM and TPM buckets with OpenAI's 429s and {@code x-ratelimit-*} headers, chat
 * completions and Responses (whole or streamed) and embeddings with usage; stored responses, files,
 * moderations and speech at one request each; latency, and injected faults. It
 * counts what it admitted per key and second ({@code GET /stats}), so a benchmark can check that
 * Sluice kept an upstream within its limits. Test code only: it never ships.
 */
public final class OpenAiSimulator implements AutoCloseable {

    private final Vertx vertx;
    private final int port;
    private final SimulatorState state;

    private OpenAiSimulator(Vertx vertx, int port, SimulatorState state) {
        this.vertx = vertx;
        this.port = port;
        this.state = state;
    }

    /** Starts listening; returns once the port is bound. */
    public static OpenAiSimulator start(SimulatorConfig config) {
        PromptTokens.loadEncodings();
        int eventLoops = Runtime.getRuntime().availableProcessors();
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
        try {
            SimulatorState state = new SimulatorState(config);
            Gate gate = new Gate(vertx, config, state);
            SimulatorRoutes routes = new SimulatorRoutes(state, new SimulatorRoutes.Handlers(
                    new ApiHandler(vertx, config, gate, state.responses()), new StoredResponseHandler(gate, state.responses()),
                    new FileHandler(gate, state.files()), new ModerationHandler(gate), new SpeechHandler(gate)));
            // One server per event loop; Vert.x spreads connections over servers sharing a port. A
            // negative port is Vert.x's way to share one free port among them (0 would give each its own).
            int requestedPort = config.port() == 0 ? -1 : config.port();
            AtomicInteger boundPort = new AtomicInteger();
            await(vertx.deployVerticle(() -> new Listener(routes, requestedPort, boundPort),
                    new DeploymentOptions().setInstances(eventLoops)));
            return new OpenAiSimulator(vertx, boundPort.get(), state);
        } catch (RuntimeException e) {
            vertx.close();
            throw e;
        }
    }

    /** Runs until killed. Arguments: {@code --name=value}, see {@link SimulatorConfig#USAGE}. */
    public static void main(String[] args) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(SimulatorConfig.USAGE);
            return;
        }
        SimulatorConfig config;
        try {
            config = SimulatorConfig.fromArgs(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        OpenAiSimulator simulator = start(config);
        // killed, not closed: the uploaded files' directory goes all the same
        Runtime.getRuntime().addShutdownHook(new Thread(simulator.state.files()::deleteAll));
        System.out.println("OpenAI simulator listening on " + simulator.baseUrl() + " (rpm " + config.requestsPerMinute()
                + ", tpm " + config.tokensPerMinute() + ", keys " + config.keys().size() + "; stats at http://127.0.0.1:"
                + simulator.port() + "/stats)");
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT/v1}: what a client or Sluice uses as its OpenAI base URL. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port + "/v1";
    }

    /** Stops listening and closes every connection, hung ones included; deletes the uploaded files. */
    @Override
    public void close() {
        try {
            await(vertx.close());
        } finally {
            state.files().deleteAll();
        }
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("simulator failed to start or stop: " + e.getMessage(), e);
        }
    }

    private static final class Listener extends AbstractVerticle {
        private final SimulatorRoutes routes;
        private final int port;
        private final AtomicInteger boundPort;

        Listener(SimulatorRoutes routes, int port, AtomicInteger boundPort) {
            this.routes = routes;
            this.port = port;
            this.boundPort = boundPort;
        }

        @Override
        public void start(Promise<Void> started) {
            vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true))
                    .requestHandler(routes)
                    .listen()
                    .onSuccess(server -> boundPort.set(server.actualPort()))
                    .<Void>mapEmpty()
                    .onComplete(started);
        }
    }
}
