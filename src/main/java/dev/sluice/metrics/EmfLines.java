package dev.sluice.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * CloudWatch Embedded Metric Format: log lines that CloudWatch Logs turns into metrics with no agent
 * (what Lambda needs, where nothing scrapes). Each line is one JSON object: the {@code _aws} metadata
 * (timestamp, namespace, the one dimension set, each metric's name and unit), the dimensions' values and
 * the metrics' values as members of the root. One line per set of dimension values, at most
 * {@value #MOST_METRICS} metrics each, as the format allows.
 */
public final class EmfLines {

    /** The namespace Sluice's metrics go to in CloudWatch. */
    public static final String NAMESPACE = "Sluice";
    /** Most metrics one EMF document may declare. */
    static final int MOST_METRICS = 100;

    private EmfLines() {
    }

    /**
     * One value to publish.
     *
     * @param name       the metric's name, e.g. {@code sluice_requests_total}
     * @param unit       a CloudWatch unit: {@code Count}, {@code Milliseconds}, {@code None}...
     * @param dimensions the metric's labels (at most 30)
     */
    public record Sample(String name, String unit, Map<String, String> dimensions, double value) {

        public Sample {
            dimensions = Map.copyOf(dimensions);
        }
    }

    /** The lines for {@code samples} at {@code epochMillis}. */
    public static List<String> of(List<Sample> samples, long epochMillis) {
        Map<Map<String, String>, List<Sample>> byDimensions = new LinkedHashMap<>();
        for (Sample sample : samples) {
            byDimensions.computeIfAbsent(new TreeMap<>(sample.dimensions()), key -> new ArrayList<>()).add(sample);
        }
        List<String> lines = new ArrayList<>();
        byDimensions.forEach((dimensions, group) -> {
            for (int from = 0; from < group.size(); from += MOST_METRICS) {
                lines.add(line(dimensions, group.subList(from, Math.min(group.size(), from + MOST_METRICS)), epochMillis));
            }
        });
        return lines;
    }

    private static String line(Map<String, String> dimensions, List<Sample> samples, long epochMillis) {
        StringBuilder json = new StringBuilder(256).append("{\"_aws\":{\"Timestamp\":").append(epochMillis)
                .append(",\"CloudWatchMetrics\":[{\"Namespace\":\"").append(NAMESPACE).append("\",\"Dimensions\":[[");
        boolean first = true;
        for (String dimension : dimensions.keySet()) {
            json.append(first ? "" : ",").append(quoted(dimension));
            first = false;
        }
        json.append("]],\"Metrics\":[");
        for (int i = 0; i < samples.size(); i++) {
            json.append(i == 0 ? "" : ",").append("{\"Name\":").append(quoted(samples.get(i).name()))
                    .append(",\"Unit\":").append(quoted(samples.get(i).unit())).append('}');
        }
        json.append("]}]}");
        dimensions.forEach((name, value) -> json.append(',').append(quoted(name)).append(':').append(quoted(value)));
        for (Sample sample : samples) {
            json.append(',').append(quoted(sample.name())).append(':').append(number(sample.value()));
        }
        return json.append('}').toString();
    }

    private static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "0";
        }
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    private static String quoted(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
