package org.ladderae.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.Series;
import org.ladderae.reports.Table;
import org.ladderae.reports.TableWriter;

/** Whole-model tuning time of AMOS, TensorIR, Welder and Ladder (minutes). */
public final class Table2 extends Experiment {
    private static final String MISSING = "n/a";

    @Override public String id() { return "table2"; }

    @Override public String summary() { return "Whole-model tuning time of AMOS, TensorIR, Welder and Ladder (minutes)"; }

    @Override public ReproduceSupport reproduceSupport() {
        return gpuSupport("Ladder's conv tuner over every dense conv of ResNet-50 and ShuffleNet-v2 at batch 1 and 128, from an empty "
                + "kernel cache, with the time of each phase");
    }

    @Override public Reproduction reproduce(Dataset paper, ReproduceContext context) { return Table2Reproduction.run(paper, context); }

    @Override public ReproducePlan plan(Dataset paper, boolean quick) { return Table2Reproduction.plan(paper); }

    /** Rows = Model(BS), columns = tools, as the artifact's "Transposed Compilation Time Table". */
    @Override public List<Path> render(RenderContext ctx) throws IOException {
        Panel panel = ctx.dataset().panels().get(0);
        List<String> columns = new ArrayList<>();
        columns.add("Model(BS)");
        panel.series().forEach(s -> columns.add(s.name()));
        Table.Builder table = Table.builder(ctx.data().layout().path("title").asText(panel.title()), columns)
                .note("Minutes. Data: " + ctx.deviceLabel());
        for (int i = 0; i < panel.x().size(); i++) {
            List<Double> row = new ArrayList<>();
            for (Series s : panel.series()) row.add(s.value(i));
            table.row(panel.xLabels().get(i), row, Table2::minutes, MISSING);
        }
        return TableWriter.write(List.of(table.build()), ctx.outputDir(), id(), ctx.out());
    }

    /** The paper's whole minutes as written; a measured fraction of a minute keeps two decimals. */
    static String minutes(double v) {
        if (v == Math.rint(v)) return String.valueOf((long) v);
        return String.format(java.util.Locale.ROOT, v < 10 ? "%.2f" : "%.1f", v);
    }
}
