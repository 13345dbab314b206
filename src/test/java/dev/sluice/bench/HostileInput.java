package dev.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Sends the generated hostile requests ({@link HostileCases}, fixed seed) to Sluice over raw sockets, one
 * connection each, and classifies every answer. A case fails when Sluice itself answers 5xx (a 5xx the
 * simulator sent and Sluice relayed does not count), when an error is not OpenAI's JSON, or when an
 * answer is cut short. Prints per-category counts, one reproducer line per failing case, and one JSON line.
 *
 * <pre>java -cp … dev.sluice.bench.HostileInput --port=18210 [--seed=17] [--max-body=4194304] [--timeout=3s]
 *     [--workers=6] [--only=index] [--reproducers=target/bench/hostile-failures.txt]</pre>
 */
public final class HostileInput {

    private HostileInput() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            int equals = arg.indexOf('=');
            if (!arg.startsWith("--") || equals < 3) {
                throw new IllegalArgumentException("arguments are --name=value, got '" + arg + "'");
            }
            options.put(arg.substring(2, equals), arg.substring(equals + 1));
        }
        int port = Integer.parseInt(required(options, "port"));
        long seed = Long.parseLong(options.getOrDefault("seed", "17"));
        long maxBody = Long.parseLong(options.getOrDefault("max-body", Long.toString(4L << 20)));
        Duration timeout = LoadConfig.duration(options.getOrDefault("timeout", "3s"));
        int workers = Integer.parseInt(options.getOrDefault("workers", "6"));
        List<HostileCase> cases = HostileCases.all(seed, maxBody);
        if (options.containsKey("only")) {
            cases = List.of(cases.get(Integer.parseInt(options.get("only"))));
        }
        long startNanos = System.nanoTime();
        List<Verdict> verdicts = run(cases, port, timeout, workers);
        double seconds = (System.nanoTime() - startNanos) / 1e9;

        PrintStream report = System.err;
        Map<String, Map<String, Long>> byCategory = new LinkedHashMap<>();
        Map<String, Long> statuses = new TreeMap<>();
        List<String> reproducers = new ArrayList<>();
        for (Verdict verdict : verdicts) {
            Map<String, Long> counts = byCategory.computeIfAbsent(verdict.kase().category(), c -> new LinkedHashMap<>());
            counts.merge("cases", 1L, Long::sum);
            verdict.tally().forEach((name, count) -> counts.merge(name, count, Long::sum));
            verdict.statuses().forEach(status -> statuses.merge(Integer.toString(status), 1L, Long::sum));
            if (!verdict.failures().isEmpty()) {
                counts.merge("failed", 1L, Long::sum);
                reproducers.add("#" + verdict.kase().index() + " [" + verdict.kase().category() + "] "
                        + printable(verdict.kase().name()) + ": " + String.join("; ", verdict.failures())
                        + "\n    replay: HostileInput --port=" + port + " --seed=" + seed + " --only=" + verdict.kase().index()
                        + "\n    bytes:  printf '%b' '" + verdict.kase().preview(240) + "' | nc 127.0.0.1 " + port);
            }
        }
        Map<String, Long> totals = new LinkedHashMap<>();
        byCategory.values().forEach(counts -> counts.forEach((name, count) -> totals.merge(name, count, Long::sum)));
        report.printf("%-9s %s%n", "category", "counts");
        byCategory.forEach((category, counts) -> report.printf("%-9s %s%n", category, counts));
        report.printf("%-9s %s%nstatuses: %s%n", "total", totals, statuses);
        report.println(reproducers.size() + " failing case(s)" + (reproducers.isEmpty() ? "" : ":"));
        reproducers.forEach(report::println);
        if (options.containsKey("reproducers")) {
            Files.write(Path.of(options.get("reproducers")), reproducers);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("seed", seed);
        result.put("cases", verdicts.size());
        result.put("elapsed_s", Math.round(seconds * 10) / 10.0);
        result.put("failed_cases", reproducers.size());
        for (String name : List.of("sluice_5xx", "relayed_5xx", "non_json_errors", "cut", "closed_without_answer",
                "timeouts", "ok_2xx", "json_4xx")) {
            result.put(name, totals.getOrDefault(name, 0L));
        }
        Map<String, Long> nonJson = new TreeMap<>();
        totals.forEach((name, count) -> {
            if (name.matches("non_json_\\d+")) {
                nonJson.put(name.substring("non_json_".length()), count);
            }
        });
        result.put("non_json_by_status", nonJson);
        result.put("statuses", statuses);
        result.put("per_category", byCategory);
        System.out.println(new ObjectMapper().writeValueAsString(result));
    }

    private static List<Verdict> run(List<HostileCase> cases, int port, Duration timeout, int workers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<Verdict>> futures = new ArrayList<>();
            for (HostileCase kase : cases) {
                futures.add(pool.submit(() -> judge(kase, RawExchange.send(port, kase.bytes(), timeout, kase.answers()))));
            }
            List<Verdict> verdicts = new ArrayList<>();
            for (Future<Verdict> future : futures) {
                verdicts.add(future.get());
            }
            return verdicts;
        } finally {
            pool.shutdownNow();
        }
    }

    static Verdict judge(HostileCase kase, RawExchange.Exchange exchange) {
        Map<String, Long> tally = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        List<Integer> statuses = new ArrayList<>();
        boolean head = new String(kase.bytes(), 0, Math.min(5, kase.bytes().length), java.nio.charset.StandardCharsets.ISO_8859_1)
                .equals("HEAD ");
        for (RawAnswer answer : exchange.answers()) {
            int status = answer.status();
            statuses.add(status);
            if (!answer.complete()) {
                continue; // counted below, with how the exchange ended
            }
            boolean json = AnswerCheck.openAiError(answer.body());
            if (status >= 500 && AnswerCheck.relayed(answer)) {
                tally.merge("relayed_5xx", 1L, Long::sum);
            } else if (status >= 500) {
                tally.merge("sluice_5xx", 1L, Long::sum);
                failures.add("Sluice answered " + status + " " + AnswerCheck.errorCode(answer.body()));
            }
            if (status >= 400 && !json && head) {
                tally.merge("head_without_body", 1L, Long::sum); // a HEAD answer has no body to hold the JSON
            } else if (status >= 400 && !json) {
                tally.merge("non_json_errors", 1L, Long::sum);
                tally.merge("non_json_" + status, 1L, Long::sum);
                String body = answer.bodyText();
                failures.add(status + " without OpenAI error JSON (body: '"
                        + printable(body.length() > 60 ? body.substring(0, 60) + "..." : body) + "')");
            } else if (status >= 400 && status < 500) {
                tally.merge("json_4xx", 1L, Long::sum);
            } else if (status >= 200 && status < 300) {
                tally.merge("ok_2xx", 1L, Long::sum);
            }
        }
        switch (exchange.end()) {
            case CUT -> {
                tally.merge("cut", 1L, Long::sum);
                failures.add("answer cut short (" + exchange.detail() + ")");
            }
            case NO_ANSWER -> tally.merge("closed_without_answer", 1L, Long::sum);
            case TIMEOUT -> tally.merge("timeouts", 1L, Long::sum);
            case REFUSED -> {
                tally.merge("refused", 1L, Long::sum);
                failures.add("connection refused: Sluice is not listening");
            }
            case COMPLETE -> {
            }
        }
        return new Verdict(kase, tally, failures, statuses);
    }

    /** Control and non-ASCII characters as \\xNN, so that a report line stays one readable line. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.chars().forEach(c -> out.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c & 0xff)));
        return out.toString();
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    record Verdict(HostileCase kase, Map<String, Long> tally, List<String> failures, List<Integer> statuses) {
    }
}
