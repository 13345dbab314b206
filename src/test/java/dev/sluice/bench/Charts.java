package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * PNG charts of a load run, for docs/benchmarks.md.
 *
 * <pre>Charts admitted --series=s.csv --limit-per-s=10 --title=… --out=a.png
 * Charts latency --result=r.json --title=… --out=l.png     (per target of a load driver result)
 * Charts latency --csv=rows.csv --title=… --out=l.png       (rows: name,p50,p90,p99 in ms)</pre>
 */
public final class Charts {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 420;

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Map<String, String> options = new TreeMap<>();
        for (int i = 1; i < args.length; i++) {
            options.put(args[i].substring(2, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
        }
        switch (args[0]) {
            case "admitted" -> admitted(Path.of(options.get("series")), Double.parseDouble(options.getOrDefault("limit-per-s", "0")),
                    options.getOrDefault("title", "Admitted per second"), Path.of(options.get("out")));
            case "latency" -> latency(options.containsKey("csv") ? rowsFromCsv(Path.of(options.get("csv")))
                            : rowsFromResult(Path.of(options.get("result"))),
                    options.getOrDefault("title", "Latency per instance"), Path.of(options.get("out")));
            default -> throw new IllegalArgumentException("charts: admitted or latency, not " + args[0]);
        }
    }

    /**
     * Requests answered 200 each second, per target and in all, against the upstream's allowed rate,
     * and the 429s the upstream itself gave (which a gate that works keeps at zero).
     */
    static void admitted(Path seriesCsv, double limitPerSecond, String title, Path out) throws IOException {
        Map<Integer, Map<Integer, Long>> okByTargetAndSecond = new TreeMap<>();
        Map<Integer, Long> total = new TreeMap<>();
        Map<Integer, Long> upstreamRefused = new TreeMap<>();
        List<String> lines = Files.readAllLines(seriesCsv);
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",");
            int second = Integer.parseInt(cells[0]);
            if (cells[1].equals("upstream")) { // the simulator's own count of the 429s it gave
                upstreamRefused.put(second, Long.parseLong(cells[3]));
                continue;
            }
            if (cells[1].startsWith("upstream:")) { // one of several simulators: in the "upstream" row already
                continue;
            }
            int target = Integer.parseInt(cells[1]);
            long ok = Long.parseLong(cells[2]);
            okByTargetAndSecond.computeIfAbsent(target, t -> new TreeMap<>()).put(second, ok);
            total.merge(second, ok, Long::sum);
        }
        upstreamRefused.keySet().removeIf(second -> !total.containsKey(second));
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("second of the run").yAxisTitle("requests per second").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS).setLegendLayout(Styler.LegendLayout.Horizontal);
        if (okByTargetAndSecond.size() > 1) {
            okByTargetAndSecond.forEach((target, series) -> chart.addSeries("instance " + (target + 1),
                    xs(series), ys(series)).setMarker(SeriesMarkers.NONE));
        }
        chart.addSeries("all instances", xs(total), ys(total)).setMarker(SeriesMarkers.NONE);
        if (!upstreamRefused.isEmpty()) {
            chart.addSeries("upstream 429s", xs(upstreamRefused), ys(upstreamRefused)).setMarker(SeriesMarkers.NONE);
        }
        if (limitPerSecond > 0 && !total.isEmpty()) {
            List<Integer> seconds = List.of(0, ((TreeMap<Integer, Long>) total).lastKey());
            chart.addSeries("upstream limit", seconds, List.of(limitPerSecond, limitPerSecond)).setMarker(SeriesMarkers.NONE);
        }
        save(chart, out);
    }

    /** One bar group: a name and its p50, p90, p99 in milliseconds. */
    record LatencyRow(String name, double p50, double p90, double p99) {
    }

    /** p50, p90 and p99 of each target of a load driver result line. */
    static List<LatencyRow> rowsFromResult(Path resultJson) throws IOException {
        JsonNode result = new ObjectMapper().readTree(Files.readString(resultJson));
        List<LatencyRow> rows = new ArrayList<>();
        int index = 1;
        for (JsonNode target : result.path("per_target")) {
            JsonNode latency = target.path("latency_ms");
            rows.add(new LatencyRow("instance " + index++, latency.path("p50").asDouble(), latency.path("p90").asDouble(),
                    latency.path("p99").asDouble()));
        }
        return rows;
    }

    static List<LatencyRow> rowsFromCsv(Path csv) throws IOException {
        List<LatencyRow> rows = new ArrayList<>();
        for (String line : Files.readAllLines(csv)) {
            String[] cells = line.split(",");
            if (cells.length == 4 && !cells[0].equals("name")) {
                rows.add(new LatencyRow(cells[0], Double.parseDouble(cells[1]), Double.parseDouble(cells[2]),
                        Double.parseDouble(cells[3])));
            }
        }
        return rows;
    }

    static void latency(List<LatencyRow> rows, String title, Path out) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .yAxisTitle("latency, ms").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS).setLegendLayout(Styler.LegendLayout.Horizontal);
        List<String> names = rows.stream().map(LatencyRow::name).toList();
        chart.addSeries("p50", names, rows.stream().map(LatencyRow::p50).toList());
        chart.addSeries("p90", names, rows.stream().map(LatencyRow::p90).toList());
        chart.addSeries("p99", names, rows.stream().map(LatencyRow::p99).toList());
        save(chart, out);
    }

    private static List<Integer> xs(Map<Integer, Long> series) {
        return new ArrayList<>(series.keySet());
    }

    private static List<Long> ys(Map<Integer, Long> series) {
        return new ArrayList<>(series.values());
    }

    private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path out) throws IOException {
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        BitmapEncoder.saveBitmap(chart, out.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
