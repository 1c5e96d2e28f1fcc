package org.ladderae.reports;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.Series;

/**
 * Tables that set a measured data set beside the paper's: the measured latencies, and for each
 * series the speedup over the figure's baseline series in the paper and as measured. Ratios are
 * what can be compared across GPUs; the devices are named in the titles.
 */
public final class PaperVsMeasured {
    private PaperVsMeasured() {}

    /** The tables of every panel, in panel order (each panel's tables share its columns). */
    public static List<Table> tables(Dataset paper, Dataset measured, String baselinePlainName) {
        List<Table> all = new ArrayList<>();
        for (Panel mp : measured.panels()) all.addAll(tables(paper, measured, mp, baselinePlainName));
        return all;
    }

    /**
     * Writes one set of files (.txt, .csv, .md) per panel, named {@code <name>_<panel>}, since
     * panels have different x axes; the text also goes to {@code out}.
     */
    public static List<java.nio.file.Path> write(Dataset paper, Dataset measured, String baselinePlainName, java.nio.file.Path dir,
                                                 String name, java.io.PrintWriter out) throws java.io.IOException {
        List<java.nio.file.Path> files = new ArrayList<>();
        for (Panel mp : measured.panels()) {
            files.addAll(TableWriter.write(tables(paper, measured, mp, baselinePlainName), dir, name + "_" + mp.id(), out));
        }
        return files;
    }

    static List<Table> tables(Dataset paper, Dataset measured, Panel mp, String baselinePlainName) {
        List<Table> tables = new ArrayList<>();
        Optional<Panel> pp = paper.panel(mp.id());
        List<String> columns = new ArrayList<>(List.of("series"));
        columns.addAll(mp.xPlainLabels());
        Table.Builder latency = Table.builder("Measured " + mp.id() + " latency (ms) on " + measured.device(), columns);
        for (Series s : mp.series()) latency.row(s.plainName(), s.values(), v -> String.format(Locale.ROOT, "%.4f", v), "n/a");
        tables.add(latency.note("n/a: see measurements.json for each point's reason").build());

        Optional<Series> mBase = mp.series(baselinePlainName);
        Optional<Series> pBase = pp.flatMap(p -> p.series(baselinePlainName));
        if (mBase.isEmpty() || pp.isEmpty()) return tables;
        Table.Builder ratios = Table.builder("Speedup over " + baselinePlainName + " in " + mp.id() + ": paper (" + paper.device()
                + ") vs measured (" + measured.device() + ")", columns);
        for (Series s : mp.series()) {
            if (s.plainName().equals(baselinePlainName)) continue;
            Optional<Series> ps = pp.get().series(s.plainName());
            ratios.row(s.plainName() + " (paper)", speedups(pBase.orElse(null), ps.orElse(null), pp.get(), mp), PaperVsMeasured::x, "n/a");
            ratios.row(s.plainName() + " (measured)", speedups(mBase.get(), s, mp, mp), PaperVsMeasured::x, "n/a");
        }
        tables.add(ratios.note("speedup = time(" + baselinePlainName + ") / time(series) on the same device").build());
        return tables;
    }

    private static String x(double v) { return String.format(Locale.ROOT, "%.2fx", v); }

    /** time(base) / time(series) per x of {@code axis}, null where either is missing. */
    private static List<Double> speedups(Series base, Series series, Panel from, Panel axis) {
        List<Double> out = new ArrayList<>();
        for (String x : axis.xPlainLabels()) {
            int i = from.xIndex(x);
            Double b = base == null || i < 0 ? null : base.value(i);
            Double v = series == null || i < 0 ? null : series.value(i);
            out.add(b == null || v == null || v == 0 ? null : b / v);
        }
        return out;
    }
}
