package dev.sluice.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the load driver does, from {@code --name=value} arguments.
 *
 * @param label             a name for the result line
 * @param targets           base URLs ending in /v1; client i is pinned to target i mod n (one per instance)
 * @param simulators        the simulated upstreams' root URLs (comma-separated in {@code --simulator}), for
 *                          their /stats; empty to skip. With several, the result has their sum and each one's figures
 * @param duration          how long new requests are started
 * @param maxRequests       most logical requests in all (a bound, whatever the pattern)
 * @param pattern           how requests arrive
 * @param clients           closed loop: number of clients, each sending its next request when the last is done
 * @param burstSize         bursts: requests sent at once
 * @param burstInterval     bursts: time between bursts
 * @param ratePerSecond     steady: logical requests started per second
 * @param callers           distinct bearer tokens (callers) the requests are spread over
 * @param largePromptShare  share of requests with a large prompt (about 2,000 tokens instead of about 20)
 * @param streamShare       share of requests with {@code "stream": true}
 * @param maxTokens         {@code max_tokens} ({@code max_output_tokens} for Responses, at least 16 there) in every
 *                          request; 0 leaves it out (the upstream's default applies)
 * @param retries           retries after a 429, each after the advised wait (OpenAI's SDKs retry twice)
 * @param retryServerErrors whether a 5xx is retried the same way, as OpenAI's SDKs do: off by default, so
 *                          that the scenarios about client-visible errors count each one
 * @param upstreamRpm       the upstream's allowed requests per minute, for the goodput ratio; 0 if none. With
 *                          several simulators: all of them together (by default the sum of {@code simulatorRpms})
 * @param simulatorRpms     each simulator's allowed requests per minute ({@code --simulator-rpm=300,600}), for
 *                          a goodput ratio per simulator; empty if none
 * @param upstreamTpm       the upstream's allowed tokens per minute (a bucket of one minute's worth),
 *                          for the token overshoot; 0 if none
 * @param seriesFile        where to write per-second counts and latencies per target (CSV); empty to skip
 * @param requestTimeout    how long one attempt may take before it counts as an error
 * @param callerGroups      report each group of callers' successes (caller i is in group i mod n), e.g. one
 *                          group per plan when caller i's key is on plan i mod n; 0 reports none
 * @param api               which API the requests use ({@code --api=chat}, the default, or {@code responses})
 * @param repeatShare       with {@code --repeat-share=0.3}, that share of requests asks one of
 *                          {@code repeatPool} questions again and again, the rest each a question never asked before
 *                          (a reply cache's and coalescing's mix); below 0 (the default), the plain mix
 * @param repeatPool        how many distinct questions the repeated requests ask
 */
public record LoadConfig(
        String label,
        List<URI> targets,
        List<URI> simulators,
        Duration duration,
        long maxRequests,
        Pattern pattern,
        int clients,
        int burstSize,
        Duration burstInterval,
        double ratePerSecond,
        int callers,
        double largePromptShare,
        double streamShare,
        int maxTokens,
        int retries,
        boolean retryServerErrors,
        double upstreamRpm,
        List<Double> simulatorRpms,
        double upstreamTpm,
        Optional<String> seriesFile,
        Duration requestTimeout,
        int callerGroups,
        Api api,
        double repeatShare,
        int repeatPool) {

    public enum Pattern { CLOSED, BURST, STEADY }

    /** The API the requests are sent to, and its path under a target's /v1. */
    public enum Api {
        /** {@code POST /v1/chat/completions}: {@code messages}, {@code max_tokens} */
        CHAT("/chat/completions"),
        /** {@code POST /v1/responses}: {@code input}, {@code instructions}, {@code max_output_tokens} */
        RESPONSES("/responses");

        /** OpenAI's minimum {@code max_output_tokens}: the upstream refuses less with a 400. */
        static final int MIN_OUTPUT_TOKENS = 16;

        private final String path;

        Api(String path) {
            this.path = path;
        }

        String path() {
            return path;
        }
    }

    public static LoadConfig fromArgs(String[] args) {
        Map<String, String> values = new HashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("arguments are --name=value, got '" + arg + "'");
            }
            values.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        Map<String, String> remaining = new LinkedHashMap<>(values);
        List<URI> targets = new ArrayList<>();
        for (String target : take(remaining, "targets", "").split(",")) {
            if (!target.isBlank()) {
                targets.add(URI.create(target.strip().replaceAll("/+$", "")));
            }
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("--targets=<base URL>[,<base URL>...] is required");
        }
        List<URI> simulators = new ArrayList<>();
        for (String simulator : take(remaining, "simulator", "").split(",")) {
            if (!simulator.isBlank()) {
                simulators.add(URI.create(simulator.strip().replaceAll("/+$", "")));
            }
        }
        List<Double> simulatorRpms = new ArrayList<>();
        for (String rpm : take(remaining, "simulator-rpm", "").split(",")) {
            if (!rpm.isBlank()) {
                simulatorRpms.add(Double.parseDouble(rpm.strip()));
            }
        }
        if (!simulatorRpms.isEmpty() && simulatorRpms.size() != simulators.size()) {
            throw new IllegalArgumentException("--simulator-rpm needs one rate per --simulator, got " + simulatorRpms.size()
                    + " for " + simulators.size());
        }
        String upstreamRpm = take(remaining, "upstream-rpm", "");
        String patternText = take(remaining, "pattern", "closed").toUpperCase(Locale.ROOT);
        LoadConfig config = new LoadConfig(
                take(remaining, "label", "load"),
                List.copyOf(targets),
                List.copyOf(simulators),
                duration(take(remaining, "duration", "30s")),
                Long.parseLong(take(remaining, "max-requests", "100000")),
                Pattern.valueOf(patternText),
                Integer.parseInt(take(remaining, "clients", "50")),
                Integer.parseInt(take(remaining, "burst-size", "50")),
                duration(take(remaining, "burst-interval", "5s")),
                Double.parseDouble(take(remaining, "rate", "10")),
                Integer.parseInt(take(remaining, "callers", "50")),
                Double.parseDouble(take(remaining, "large-prompt-share", "0")),
                Double.parseDouble(take(remaining, "stream-share", "0")),
                Integer.parseInt(take(remaining, "max-tokens", "16")),
                Integer.parseInt(take(remaining, "retries", "2")),
                Boolean.parseBoolean(take(remaining, "retry-server-errors", "false")),
                upstreamRpm.isBlank() ? simulatorRpms.stream().mapToDouble(Double::doubleValue).sum()
                        : Double.parseDouble(upstreamRpm),
                List.copyOf(simulatorRpms),
                Double.parseDouble(take(remaining, "upstream-tpm", "0")),
                Optional.of(take(remaining, "series", "")).filter(file -> !file.isBlank()),
                duration(take(remaining, "request-timeout", "60s")),
                Integer.parseInt(take(remaining, "caller-groups", "0")),
                Api.valueOf(take(remaining, "api", "chat").toUpperCase(Locale.ROOT)),
                Double.parseDouble(take(remaining, "repeat-share", "-1")),
                Integer.parseInt(take(remaining, "repeat-pool", "20")));
        if (!remaining.isEmpty()) {
            throw new IllegalArgumentException("unknown arguments: " + remaining.keySet());
        }
        return config;
    }

    public LoadConfig {
        for (URI target : java.util.stream.Stream.concat(targets.stream(), simulators.stream()).toList()) {
            String host = target.getHost();
            if (!"127.0.0.1".equals(host) && !"localhost".equals(host)) {
                throw new IllegalArgumentException("the load driver only sends to loopback, not to " + target);
            }
        }
        if (duration.isNegative() || duration.isZero() || duration.compareTo(Duration.ofMinutes(30)) > 0) {
            throw new IllegalArgumentException("--duration must be between 1 s and 30 min, got " + duration);
        }
        if (maxRequests < 1 || clients < 1 || burstSize < 1 || callers < 1 || ratePerSecond <= 0 || retries < 0) {
            throw new IllegalArgumentException("--max-requests, --clients, --burst-size, --callers and --rate must be "
                    + "positive, --retries at least 0");
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("--max-tokens must be at least 0 (0 leaves it out), got " + maxTokens);
        }
        if (api == Api.RESPONSES && maxTokens > 0 && maxTokens < Api.MIN_OUTPUT_TOKENS) {
            throw new IllegalArgumentException("--max-tokens must be 0 or at least " + Api.MIN_OUTPUT_TOKENS
                    + " with --api=responses (OpenAI's minimum max_output_tokens), got " + maxTokens);
        }
        if (largePromptShare < 0 || largePromptShare > 1 || streamShare < 0 || streamShare > 1) {
            throw new IllegalArgumentException("shares are between 0 and 1");
        }
    }

    private static String take(Map<String, String> values, String name, String fallback) {
        String value = values.remove(name);
        return value == null ? fallback : value;
    }

    /** {@code 250ms}, {@code 30s}, {@code 2m}. */
    static Duration duration(String text) {
        String trimmed = text.strip().toLowerCase(Locale.ROOT);
        if (trimmed.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(trimmed.substring(0, trimmed.length() - 2)));
        }
        if (trimmed.endsWith("s")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(trimmed.substring(0, trimmed.length() - 1)) * 1000));
        }
        if (trimmed.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(trimmed.substring(0, trimmed.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(trimmed));
    }
}
