package dev.sluice.limit.infinispan;

import org.infinispan.client.hotrod.RemoteCache;
import org.infinispan.client.hotrod.RemoteCacheManager;
import org.infinispan.client.hotrod.configuration.ConfigurationBuilder;
import org.infinispan.client.hotrod.exceptions.TransportException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * One real Infinispan server for the whole test run, started with deploy/local/infinispan.sh when
 * none answers on 127.0.0.1:11222 (CI starts it before the tests), and stopped at the end only if
 * this JVM started it.
 */
public final class InfinispanTestServer {

    public static final String HOST = "127.0.0.1";
    public static final int PORT = 11222;
    public static final String USERNAME = "sluice";
    public static final String PASSWORD = "sluice-local-password";

    private static boolean started;

    private InfinispanTestServer() {
    }

    /** Makes sure the server runs; returns {@code host:port} for QUARKUS_INFINISPAN_CLIENT_HOSTS. */
    public static synchronized String ensureRunning() {
        if (!answers(PORT)) {
            run("start");
            started = true;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> run("stop")));
        } else if (!started) {
            // Already running (CI starts it first): the script restarts it only if its Sluice task
            // is older than these sources, which would answer in an older wire format.
            run("start");
        }
        return HOST + ":" + PORT;
    }

    /** Stops the server (a test of what happens when it is gone); {@link #restart} brings it back. */
    public static synchronized void stop() {
        run("stop");
    }

    public static synchronized void restart() {
        run("start");
    }

    public static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void run(String command) {
        script(Map.of(), command);
    }

    /** Runs deploy/local/infinispan.sh with {@code arguments} and these extra environment variables. */
    public static void script(Map<String, String> environment, String... arguments) {
        Path script = repositoryRoot().resolve("deploy/local/infinispan.sh");
        String command = String.join(" ", arguments);
        try {
            List<String> line = new ArrayList<>(List.of("bash", script.toString()));
            line.addAll(List.of(arguments));
            ProcessBuilder builder = new ProcessBuilder(line)
                    .directory(repositoryRoot().toFile())
                    .redirectErrorStream(true)
                    // to a file: writing into the test JVM's own stdout confuses Surefire
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log()));
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("deploy/local/infinispan.sh " + command + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run deploy/local/infinispan.sh " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running deploy/local/infinispan.sh " + command, e);
        }
    }

    private static java.io.File log() throws IOException {
        Path log = repositoryRoot().resolve("target/infinispan/test-script.log");
        Files.createDirectories(log.getParent());
        return log.toFile();
    }

    /** The directory that holds deploy/local/infinispan.sh, or null when there is none above this one. */
    static Path findRepositoryRoot() {
        Path directory = Path.of("").toAbsolutePath();
        while (directory != null && !Files.exists(directory.resolve("deploy/local/infinispan.sh"))) {
            directory = directory.getParent();
        }
        return directory;
    }

    static Path repositoryRoot() {
        Path directory = findRepositoryRoot();
        if (directory == null) {
            throw new IllegalStateException("deploy/local/infinispan.sh not found above " + Path.of("").toAbsolutePath());
        }
        return directory;
    }

    /** Sluice's own hotrod-client.properties (time-outs, no retries), pointed at {@code hosts} as the test user. */
    /**
     * A Hot Rod client of its own, as each Sluice instance has, to the running server (started if need be):
     * two of them stand for two instances of a fleet.
     */
    public static org.infinispan.client.hotrod.RemoteCacheManager newInstanceClient() {
        return new org.infinispan.client.hotrod.RemoteCacheManager(sluiceClientConfiguration(ensureRunning(), USERNAME, PASSWORD).build());
    }

    public static ConfigurationBuilder sluiceClientConfiguration(String hosts, String username, String password) {
        Properties sluice = new Properties();
        try (InputStream in = InfinispanTestServer.class.getResourceAsStream("/META-INF/hotrod-client.properties")) {
            sluice.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ConfigurationBuilder builder = new ConfigurationBuilder().withProperties(sluice);
        builder.addServers(hosts).security().authentication().username(username).password(password)
                .realm("default").saslMechanism("SCRAM-SHA-256");
        return builder;
    }

    /** Connecting (not admitting) may be tried again: a busy machine can miss the 500 ms time-out once. */
    public static RemoteCache<String, Long> bucketsCache(RemoteCacheManager manager) {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofSeconds(1)).ignoreException(TransportException.class)
                .until(() -> manager.<String, Long>getCache(InfinispanBucketStore.CACHE), Objects::nonNull);
    }
}
