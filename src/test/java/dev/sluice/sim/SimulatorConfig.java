package dev.sluice.sim;

import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How the simulated OpenAI upstream behaves. Each setting has a command-line form
 * {@code --name=value} (see {@link #USAGE}); {@link #defaults()} is the programmatic start.
 *
 * @param port                TCP port on 127.0.0.1; 0 picks a free one ({@code --port})
 * @param keys                bearer keys accepted; any other is a 401 ({@code --keys=a,b})
 * @param requestsPerMinute   RPM of each key, 0 = unlimited ({@code --rpm})
 * @param tokensPerMinute     TPM of each key, 0 = unlimited ({@code --tpm})
 * @param requestBucketSeconds depth of the RPM bucket in seconds of its rate: capacity = max(1, rate per
 *                            second × this). OpenAI enforces its per-minute limits over short periods
 *                            ("60,000 requests/minute may be enforced as 1,000 requests/second"), so a
 *                            second by default ({@code --rpm-bucket-seconds})
 * @param tokenBucketSeconds  the same for the TPM bucket; a minute by default, so that one request may
 *                            use the whole TPM ({@code --tpm-bucket-seconds})
 * @param tokenAccounting     how the TPM bucket counts a request ({@code --token-accounting}): on arrival,
 *                            from a character estimate of the input plus max tokens × n, never given
 *                            back (OpenAI's documented way), or corrected to the real usage when the
 *                            reply is done
 * @param latencyMillis       fixed delay before the response head of an admitted request ({@code --latency-ms})
 * @param jitterMillis        extra delay, uniform in 0..jitterMillis ({@code --jitter-ms})
 * @param chunks              content chunks in a stream ({@code --chunks})
 * @param chunkIntervalMillis pause between two chunks ({@code --chunk-interval-ms})
 * @param completionTokens    tokens in each reply, capped by the request's max tokens ({@code --completion-tokens})
 * @param defaultMaxTokens    max tokens charged when a request names none ({@code --default-max-tokens})
 * @param errorRate           share of admitted requests answered 500 or 503 ({@code --error-rate})
 * @param resetRate           share whose connection is closed without an answer ({@code --reset-rate})
 * @param hangRate            share never answered; the connection is closed after 10 minutes ({@code --hang-rate})
 * @param abortRate           share of streams cut after about half their chunks ({@code --abort-rate})
 * @param errorBurstMillis    5xx bursts: for this long at the start of every {@code errorBurstEveryMillis}
 *                            (counted from the simulator's start), every admitted request is answered 500
 *                            or 503; 0 = no bursts ({@code --error-burst-ms})
 * @param errorBurstEveryMillis the period of those bursts ({@code --error-burst-every-ms})
 * @param seed                seed of the random faults and jitter ({@code --seed})
 * @param nanoTime            monotonic clock of the buckets and the stats, in nanoseconds; tests move it by hand
 */
public record SimulatorConfig(int port, List<String> keys, long requestsPerMinute, long tokensPerMinute,
                              double requestBucketSeconds, double tokenBucketSeconds, TokenAccounting tokenAccounting,
                              long latencyMillis, long jitterMillis, int chunks,
                              long chunkIntervalMillis, int completionTokens, int defaultMaxTokens,
                              double errorRate, double resetRate, double hangRate, double abortRate,
                              long errorBurstMillis, long errorBurstEveryMillis, long seed,
                              LongSupplier nanoTime) {

    /** The port {@link OpenAiSimulator#main} listens on when none is given. */
    public static final int CLI_DEFAULT_PORT = 9000;

    /** How the TPM bucket counts a request. */
    public enum TokenAccounting {
        /** On arrival: ceil(characters of the input / 4) + max tokens × n, never given back. */
        REQUEST,
        /** The same on arrival, then corrected to the tokens the reply really used once it is sent. */
        USAGE
    }

    public static final String USAGE = """
            options (all optional, --name=value):
              --port=9000 --keys=sk-sim-1[,sk-sim-2] --rpm=0 --tpm=0 (0 = unlimited)
              --rpm-bucket-seconds=1 --tpm-bucket-seconds=60 --token-accounting=request|usage
              --latency-ms=0 --jitter-ms=0 --chunks=8 --chunk-interval-ms=0
              --completion-tokens=16 --default-max-tokens=16
              --error-rate=0 --reset-rate=0 --hang-rate=0 --abort-rate=0 (each in [0,1]) --seed=1
              --error-burst-ms=0 --error-burst-every-ms=10000 (every admitted request 5xx for the first
                error-burst-ms of each period)""";

    public SimulatorConfig {
        check(port >= 0 && port <= 65535, "port must be in 0..65535 (0 = a free port), got %d", port);
        Objects.requireNonNull(keys, "keys");
        keys = List.copyOf(keys);
        check(!keys.isEmpty(), "keys must name at least one key");
        for (String key : keys) {
            check(!key.isBlank() && key.chars().allMatch(c -> c > ' ' && c < 127 && c != ','),
                    "keys must be printable ASCII without spaces or commas, and not empty");
        }
        check(keys.stream().distinct().count() == keys.size(), "keys must not repeat a key");
        check(requestsPerMinute >= 0, "rpm must be >= 0 (0 = unlimited), got %d", requestsPerMinute);
        check(tokensPerMinute >= 0, "tpm must be >= 0 (0 = unlimited), got %d", tokensPerMinute);
        check(requestBucketSeconds > 0 && requestBucketSeconds <= 86_400,
                "rpm-bucket-seconds must be > 0 and <= 86400, got %s", requestBucketSeconds);
        check(tokenBucketSeconds > 0 && tokenBucketSeconds <= 86_400,
                "tpm-bucket-seconds must be > 0 and <= 86400, got %s", tokenBucketSeconds);
        Objects.requireNonNull(tokenAccounting, "tokenAccounting");
        check(latencyMillis >= 0, "latency-ms must be >= 0, got %d", latencyMillis);
        check(jitterMillis >= 0 && jitterMillis < Integer.MAX_VALUE, "jitter-ms must be >= 0, got %d", jitterMillis);
        check(chunks >= 1, "chunks must be >= 1, got %d", chunks);
        check(chunkIntervalMillis >= 0, "chunk-interval-ms must be >= 0, got %d", chunkIntervalMillis);
        check(completionTokens >= 1, "completion-tokens must be >= 1, got %d", completionTokens);
        check(defaultMaxTokens >= 1, "default-max-tokens must be >= 1, got %d", defaultMaxTokens);
        checkRate("error-rate", errorRate);
        checkRate("reset-rate", resetRate);
        checkRate("hang-rate", hangRate);
        checkRate("abort-rate", abortRate);
        check(errorBurstMillis >= 0 && errorBurstEveryMillis > 0 && errorBurstMillis <= errorBurstEveryMillis,
                "error-burst-ms must be in 0..error-burst-every-ms, and error-burst-every-ms > 0; got %d and %d",
                errorBurstMillis, errorBurstEveryMillis);
        Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /** Free port, key {@code sk-sim-1}, no limits, no latency, no faults. */
    public static SimulatorConfig defaults() {
        return new SimulatorConfig(0, List.of("sk-sim-1"), 0, 0, 1.0, 60.0, TokenAccounting.REQUEST, 0, 0, 8, 0, 16, 16,
                0, 0, 0, 0, 0, 10_000, 1, System::nanoTime);
    }

    /** The command line of {@link OpenAiSimulator#main}: the defaults on port 9000, then {@code args}. */
    public static SimulatorConfig fromArgs(String... args) {
        return defaults().withPort(CLI_DEFAULT_PORT).withArgs(args);
    }

    /** This configuration with the {@code --name=value} settings of {@code args} replacing its own. */
    public SimulatorConfig withArgs(String... args) {
        CommandLineArgs given = new CommandLineArgs(args);
        SimulatorConfig config = new SimulatorConfig(
                given.integer("port", port),
                given.list("keys", keys),
                given.whole("rpm", requestsPerMinute),
                given.whole("tpm", tokensPerMinute),
                given.decimal("rpm-bucket-seconds", requestBucketSeconds),
                given.decimal("tpm-bucket-seconds", tokenBucketSeconds),
                accounting(given.text("token-accounting", tokenAccounting.name())),
                given.whole("latency-ms", latencyMillis),
                given.whole("jitter-ms", jitterMillis),
                given.integer("chunks", chunks),
                given.whole("chunk-interval-ms", chunkIntervalMillis),
                given.integer("completion-tokens", completionTokens),
                given.integer("default-max-tokens", defaultMaxTokens),
                given.decimal("error-rate", errorRate),
                given.decimal("reset-rate", resetRate),
                given.decimal("hang-rate", hangRate),
                given.decimal("abort-rate", abortRate),
                given.whole("error-burst-ms", errorBurstMillis),
                given.whole("error-burst-every-ms", errorBurstEveryMillis),
                given.whole("seed", seed),
                nanoTime);
        given.requireAllRead();
        return config;
    }

    public SimulatorConfig withPort(int newPort) {
        return new SimulatorConfig(newPort, keys, requestsPerMinute, tokensPerMinute, requestBucketSeconds,
                tokenBucketSeconds, tokenAccounting, latencyMillis,
                jitterMillis, chunks, chunkIntervalMillis, completionTokens, defaultMaxTokens, errorRate, resetRate,
                hangRate, abortRate, errorBurstMillis, errorBurstEveryMillis, seed, nanoTime);
    }

    public SimulatorConfig withNanoTime(LongSupplier newNanoTime) {
        return new SimulatorConfig(port, keys, requestsPerMinute, tokensPerMinute, requestBucketSeconds,
                tokenBucketSeconds, tokenAccounting, latencyMillis,
                jitterMillis, chunks, chunkIntervalMillis, completionTokens, defaultMaxTokens, errorRate, resetRate,
                hangRate, abortRate, errorBurstMillis, errorBurstEveryMillis, seed, newNanoTime);
    }

    private static TokenAccounting accounting(String text) {
        for (TokenAccounting accounting : TokenAccounting.values()) {
            if (accounting.name().equalsIgnoreCase(text.trim())) {
                return accounting;
            }
        }
        throw new IllegalArgumentException("token-accounting must be request or usage, got " + text);
    }

    private static void checkRate(String name, double rate) {
        check(rate >= 0 && rate <= 1, "%s must be between 0 and 1, got %s", name, rate);
    }

    private static void check(boolean valid, String format, Object... args) {
        if (!valid) {
            throw new IllegalArgumentException(String.format(format, args));
        }
    }
}
