package org.ladderae.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ladderae.charts.LatexText;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.Series;
import org.ladderae.reports.Table;
import org.ladderae.reports.TableWriter;

/** Vendor-library GEMM support and efficiency (16384^3, % of peak) on V100, A100, MI250. */
public final class Table1 extends Experiment {
    /** The paper prints "x" where a library has no kernel for the precision. */
    private static final String UNSUPPORTED = "x";

    @Override public String id() { return "table1"; }

    @Override public String summary() { return "Vendor-library GEMM support and efficiency (16384^3, % of peak) on V100, A100, MI250"; }

    @Override public List<Path> render(RenderContext ctx) throws IOException {
        List<Table> tables = new ArrayList<>();
        for (Panel panel : ctx.dataset().panels()) {
            List<String> columns = new ArrayList<>();
            columns.add("Library");
            panel.xLabels().forEach(x -> columns.add(LatexText.plain(x)));
            Table.Builder table = Table.builder(panel.title(), columns)
                    .note("Percent of peak; " + UNSUPPORTED + " = no kernel for this precision. Data: " + ctx.dataset().id()
                            + " numbers, measured on " + (panel.device() != null ? panel.device() : ctx.dataset().device()));
            for (Series s : panel.series()) table.row(s.plainName(), s.values(), v -> Math.round(v) + "%", UNSUPPORTED);
            tables.add(table.build());
        }
        return TableWriter.write(tables, ctx.outputDir(), id(), ctx.out());
    }
}
