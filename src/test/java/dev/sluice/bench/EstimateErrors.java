package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.sim.ProviderCharge;
import dev.sluice.tokens.TokenEstimate;
import dev.sluice.tokens.TokenEstimator;
import dev.sluice.openai.Operation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * How far Sluice's token charge on an upstream is from what the provider charges on arrival, over a
 * corpus of generated chat requests: 1 to 4 messages, each a slice of 10 to 8,000 characters of real
 * text of one kind (English prose from docs/, Java source from src/main, JSON lines from the bench's
 * results, and Japanese and emoji text), with max_tokens unset a third of the time. Compares, per request:
 *
 * <ul>
 *   <li>{@code request}: what Sluice charges an upstream that counts requests (the default):
 *       {@link TokenEstimate#chargedOnArrival()};</li>
 *   <li>{@code tokenizer}: what it reserved before (the prompt counted with the model's tokenizer +
 *       max tokens), still what a usage-counting upstream and a caller's quota reserve;</li>
 * </ul>
 * each against the simulated provider's charge ({@link ProviderCharge}), as (Sluice − provider) ÷
 * provider. Prints one JSON line with the percentiles, overall and per kind of text. The corpus is
 * the repository as it is at the measured commit (the results line names it), the slices drawn with
 * a fixed seed.
 *
 * <pre>java -cp ... dev.sluice.bench.EstimateErrors [--requests=5000] [--seed=1] [--default-max-tokens=1024]</pre>
 */
public final class EstimateErrors {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double[] PERCENTILES = {0, 1, 5, 50, 95, 99, 100};

    private EstimateErrors() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = new LinkedHashMap<>(Map.of("requests", "5000", "seed", "1", "default-max-tokens", "1024"));
        for (String arg : args) {
            String[] pair = arg.replaceFirst("^--", "").split("=", 2);
            if (!options.containsKey(pair[0]) || pair.length != 2) {
                throw new IllegalArgumentException("options: --requests=N --seed=N --default-max-tokens=N, got " + arg);
            }
            options.put(pair[0], pair[1]);
        }
        int requests = Integer.parseInt(options.get("requests"));
        int defaultMaxTokens = Integer.parseInt(options.get("default-max-tokens"));
        SplittableRandom random = new SplittableRandom(Long.parseLong(options.get("seed")));
        Map<String, String> sources = sources();
        TokenEstimator estimator = new TokenEstimator();

        Map<String, List<Double>> requestErrors = new LinkedHashMap<>();
        Map<String, List<Double>> tokenizerErrors = new LinkedHashMap<>();
        for (int i = 0; i < requests; i++) {
            String kind = List.copyOf(sources.keySet()).get(random.nextInt(sources.size()));
            String body = chat(sources.get(kind), random);
            ProviderCharge.Charge provider = ProviderCharge.of(true, body, defaultMaxTokens);
            TokenEstimate sluice = estimator.estimate(Operation.CHAT_COMPLETIONS, JSON.readTree(body), defaultMaxTokens);
            double request = (double) (sluice.chargedOnArrival() - provider.onArrival()) / provider.onArrival();
            double tokenizer = (double) (sluice.reservedTokens() - provider.onArrival()) / provider.onArrival();
            for (String group : List.of("all", kind)) {
                requestErrors.computeIfAbsent(group, g -> new ArrayList<>()).add(request);
                tokenizerErrors.computeIfAbsent(group, g -> new ArrayList<>()).add(tokenizer);
            }
        }
        ObjectNode result = JSON.createObjectNode();
        result.put("requests", requests);
        result.put("default_max_tokens", defaultMaxTokens);
        result.put("percentiles", Arrays.toString(PERCENTILES));
        ObjectNode request = result.putObject("request_charge_error");
        requestErrors.forEach((group, errors) -> request.set(group, summary(errors)));
        ObjectNode tokenizer = result.putObject("tokenizer_reservation_error");
        tokenizerErrors.forEach((group, errors) -> tokenizer.set(group, summary(errors)));
        System.out.println(result);
    }

    /** Mean and percentiles of relative errors, in per cent, rounded to 0.1. */
    private static JsonNode summary(List<Double> errors) {
        double[] sorted = errors.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        ObjectNode node = JSON.createObjectNode();
        node.put("n", sorted.length);
        node.put("mean_pct", round(Arrays.stream(sorted).average().orElse(0)));
        ArrayNode values = node.putArray("pct");
        for (double percentile : PERCENTILES) {
            int index = (int) Math.min(sorted.length - 1, Math.floor(percentile / 100 * sorted.length));
            values.add(round(sorted[index]));
        }
        return node;
    }

    private static double round(double ratio) {
        return Math.round(ratio * 1000) / 10.0;
    }

    /** A chat body of 1 to 4 messages, each a random slice of {@code text}; max_tokens unset a third of the time. */
    private static String chat(String text, SplittableRandom random) {
        ObjectNode body = JSON.createObjectNode().put("model", "gpt-4o");
        ArrayNode messages = body.putArray("messages");
        int count = 1 + random.nextInt(4);
        for (int m = 0; m < count; m++) {
            int length = (int) Math.round(Math.exp(Math.log(10) + random.nextDouble() * (Math.log(8000) - Math.log(10))));
            int start = random.nextInt(Math.max(1, text.length() - length));
            String slice = text.substring(start, Math.min(text.length(), start + length));
            messages.addObject().put("role", m == 0 && count > 1 ? "system" : m % 2 == 1 ? "user" : "assistant")
                    .put("content", slice);
        }
        if (random.nextInt(3) > 0) {
            body.put("max_tokens", 16 << random.nextInt(9)); // 16 to 4,096
        }
        return body.toString();
    }

    /** Real text of each kind, read from this repository (run from its root). */
    private static Map<String, String> sources() throws IOException {
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("english", read(Path.of("docs"), ".md"));
        sources.put("java", read(Path.of("src/main/java"), ".java"));
        // the results file only grows at its end: its first 60,000 characters stay the same run to run
        String results = Files.readString(Path.of("docs/benchmarks/results.jsonl"));
        sources.put("json", results.substring(0, Math.min(results.length(), 60_000)));
        sources.put("japanese_emoji", ("お誕生日おめでとうございます。今日は良い天気ですね 😀👍🏽 レート制限の設定を確認してください。"
                + "東京の会議は午後三時に始まります 🎉 ").repeat(200));
        return sources;
    }

    private static String read(Path root, String suffix) throws IOException {
        if (!Files.isDirectory(root)) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(suffix)).sorted().toList()) {
                text.append(Files.readString(file)).append('\n');
            }
        }
        return text.toString();
    }
}
