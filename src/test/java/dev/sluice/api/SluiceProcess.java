package dev.sluice.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * The packaged Sluice ({@code target/quarkus-app/quarkus-run.jar}, built by {@code mvn package}) run as a
 * process of its own on 127.0.0.1 and a free port, for what only a real process shows: how it stops on a
 * signal. Its output goes to {@code log}, which the test reads; {@link #close()} kills it if it is still
 * running.
 */
record SluiceProcess(Process process, Path log, int port) implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Listening on: http://127\\.0\\.0\\.1:(\\d+)");

    /** Starts the jar with {@code environment} on top of the defaults, and waits until it listens. */
    static SluiceProcess start(Path jar, Path log, Map<String, String> environment) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run through mvn verify, which packages it first");
        }
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().putAll(Map.of("QUARKUS_HTTP_HOST", "127.0.0.1", "QUARKUS_HTTP_PORT", "0",
                "QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            int port = await("Sluice listening").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("Sluice exited at start:\n" + Files.readString(log));
                        }
                        Matcher listening = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
                        return listening.find() ? Integer.parseInt(listening.group(1)) : 0;
                    }, found -> found > 0);
            return new SluiceProcess(process, log, port);
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** {@code http://127.0.0.1:PORT} */
    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Sends {@code SIGTERM}, as a platform does to stop a container. */
    void terminate() {
        process.destroy();
    }

    /** What it has written so far. */
    String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** Waits up to {@code timeout} for it to exit; true when it did. */
    boolean exited(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
