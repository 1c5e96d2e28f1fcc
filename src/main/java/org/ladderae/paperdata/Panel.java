package org.ladderae.paperdata;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One panel of a figure or table: an ordered x axis and the series drawn over it. */
public record Panel(String id, String title, String workload, String device, List<XCategory> x,
                    List<String> plottedX, Map<String, Double> peakTflops, List<Series> series) {
    public Panel {
        x = List.copyOf(x);
        plottedX = plottedX == null ? null : List.copyOf(plottedX);
        peakTflops = peakTflops == null ? Map.of() : Map.copyOf(peakTflops);
        series = List.copyOf(series);
    }

    public List<String> xLabels() { return x.stream().map(XCategory::label).toList(); }

    public List<String> xPlainLabels() { return x.stream().map(XCategory::plainLabel).toList(); }

    public Optional<Series> series(String plainName) {
        return series.stream().filter(s -> s.plainName().equals(plainName)).findFirst();
    }

    public int xIndex(String label) {
        for (int i = 0; i < x.size(); i++) {
            if (x.get(i).label().equals(label) || x.get(i).plainLabel().equals(label)) return i;
        }
        return -1;
    }
}
