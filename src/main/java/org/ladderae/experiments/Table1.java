package org.ladderae.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ladderae.charts.LatexText;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.Series;
import org.ladderae.reports.Table;
import org.ladderae.reports.TableWriter;

/** Vendor-library GEMM support and efficiency (16384^3, % of peak) on V100, A100, MI250. */
public final class Table1 extends Experiment {
    /** The paper prints "x" where a library has no kernel for the precision. */
    private static final String UNSUPPORTED = "x";
    /** Null reason of a measured cell whose library has no kernel: printed "x" like the paper's. */
    static final String NO_KERNEL = "x: the library has no kernel for this precision";
    /** How the transcribed paper data words its "x" cells. */
    private static final String PAPER_NO_KERNEL = "'x' in the table";

    @Override public String id() { return "table1"; }

    @Override public String summary() { return "Vendor-library GEMM support and efficiency (16384^3, % of peak) on V100, A100, MI250"; }

    @Override public ReproduceSupport reproduceSupport() {
        return gpuSupport("cuBLAS/cuBLASLt, Ladder and PyTorch 16384^3 GEMM in FP16, INT8, FP8 E4M3 and (Ladder) W_NF4A_FP16 "
                + "as % of this GPU's datasheet peak");
    }

    @Override public Reproduction reproduce(Dataset paper, ReproduceContext context) { return Table1Reproduction.run(paper, context); }

    @Override public ReproducePlan plan(Dataset paper, boolean quick) { return Table1Reproduction.plan(quick); }

    @Override public List<Path> render(RenderContext ctx) throws IOException {
        List<Table> tables = new ArrayList<>();
        for (Panel panel : ctx.dataset().panels()) {
            boolean tflops = panel.id().endsWith(Table1Reproduction.TFLOPS_SUFFIX);
            List<String> columns = new ArrayList<>();
            columns.add("Library");
            panel.xLabels().forEach(x -> columns.add(LatexText.plain(x)));
            String measuredOn = panel.device() != null ? panel.device() : ctx.dataset().device();
            Table.Builder table = Table.builder(panel.title(), columns)
                    .note((tflops ? "Achieved TFLOP/s (TOP/s for INT8)" : "Percent of peak" + peaksNote(panel)) + "; " + UNSUPPORTED
                            + " = no kernel for this precision; n/a = not measured (reasons in measurements.json). Data: "
                            + ctx.dataset().id() + " numbers, measured on " + measuredOn);
            for (Series s : panel.series()) {
                List<String> cells = new ArrayList<>(List.of(s.plainName()));
                for (int i = 0; i < s.values().size(); i++) {
                    Double v = s.value(i);
                    cells.add(v != null ? (tflops ? String.format(Locale.ROOT, "%.1f", v) : Math.round(v) + "%") : missing(s.nullReason(i)));
                }
                table.row(cells);
            }
            tables.add(table.build());
        }
        return TableWriter.write(tables, ctx.outputDir(), id(), ctx.out());
    }

    /** "x" where the library has no kernel, "n/a" where a kernel exists but was not measured. */
    private static String missing(String reason) {
        return reason.startsWith(PAPER_NO_KERNEL) || reason.equals(NO_KERNEL) || reason.equals("no value in the source") ? UNSUPPORTED : "n/a";
    }

    private static String peaksNote(Panel panel) {
        if (panel.peakTflops().isEmpty()) return "";
        List<String> parts = new ArrayList<>();
        for (String x : panel.xPlainLabels()) {
            Double p = panel.peakTflops().get(x);
            if (p != null) parts.add(x + " " + (p == Math.rint(p) ? String.valueOf(p.longValue()) : String.valueOf(p)));
        }
        return " (peaks used, TFLOP/s: " + String.join(", ", parts) + ")";
    }
}
