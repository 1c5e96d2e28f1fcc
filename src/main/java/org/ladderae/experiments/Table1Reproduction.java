package org.ladderae.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.ladderae.baselines.BaselineWorkload;
import org.ladderae.baselines.CublasRunner;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.GpuPeaks;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.Series;
import org.ladderae.results.Measurement;

/**
 * Table 1 measured here: the 16384^3 NT GEMM of cuBLAS (cuBLASLt for INT8 and FP8 E4M3) and of
 * PyTorch (matmul, _int_mm, _scaled_mm) on the detected GPU, as percent of that GPU's datasheet
 * dense peak for the precision ({@link GpuPeaks}), plus the achieved TFLOP/s. Ladder's row is measured
 * with its tensor-core GEMM kernels (FP16, INT8, FP8 E4M3 x E4M3 and NF4 weights; {@link LadderGemmPoints})
 * and n/a with the missing kernel named elsewhere; NF4 is "x" for the libraries, which have no NF4 kernel.
 */
final class Table1Reproduction {
    /** Suffix of the TFLOP/s panel's id; {@link Table1#render} prints it as TFLOP/s instead of percent. */
    static final String TFLOPS_SUFFIX = "_tflops";
    private static final Set<String> BASELINES = Set.of(CublasRunner.SYSTEM, "PyTorch");
    private static final FormatPair INT8 = new FormatPair(NumberFormat.INT8, NumberFormat.INT8);
    private static final FormatPair FP8_E4M3 = new FormatPair(NumberFormat.FP8_E4M3, NumberFormat.FP8_E4M3);

    /** A cell's record: which system and formats of the baselines' records fill it. */
    record Source(String system, FormatPair formats) {}

    /** One row of the measured table; a column absent from {@code cells} gets {@code noKernel}'s reason for it. */
    record Row(String name, Map<String, Source> cells, java.util.function.UnaryOperator<String> noKernel) {}

    /** The paper's format pair of each column (FP8 is E4M3, as the libraries' FP8 GEMMs take it). */
    static final Map<String, FormatPair> COLUMN_FORMATS = Map.of("W_FP16A_FP16", FormatPair.FP16, "W_INT8A_INT8", INT8,
            "W_FP8A_FP8", FP8_E4M3, "W_NF4A_FP16", new FormatPair(NumberFormat.NF4, NumberFormat.FP16));

    /** The columns' compute precision, whose tensor peak the percent is of (NF4 weights are decoded to FP16). */
    static final Map<String, NumberFormat> COMPUTE = Map.of("W_FP16A_FP16", NumberFormat.FP16, "W_INT8A_INT8", NumberFormat.INT8,
            "W_FP8A_FP8", NumberFormat.FP8, "W_NF4A_FP16", NumberFormat.FP16);

    static final List<Row> LIBRARY_ROWS = List.of(
            new Row("cuBLAS", Map.of("W_FP16A_FP16", new Source(CublasRunner.SYSTEM, FormatPair.FP16),
                    "W_INT8A_INT8", new Source(CublasRunner.SYSTEM, INT8), "W_FP8A_FP8", new Source(CublasRunner.SYSTEM, FP8_E4M3)),
                    column -> Table1.NO_KERNEL),
            new Row("PyTorch", Map.of("W_FP16A_FP16", new Source("PyTorch-matmul", FormatPair.FP16),
                    "W_INT8A_INT8", new Source("PyTorch-int_mm", INT8), "W_FP8A_FP8", new Source("PyTorch-scaled_mm", FP8_E4M3)),
                    column -> Table1.NO_KERNEL));

    /** Ladder's GEMM points: the columns with a tensor-core GEMM kernel, at the table's 16384^3 shape. */
    static List<LadderGemmPoints.Point> ladderPoints() {
        BaselineWorkload gemm = BaselineWorkload.table1Gemm();
        List<Integer> d = gemm.dims();
        return COLUMN_FORMATS.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .filter(e -> LadderGemmPoints.kernelFormats(e.getValue()).isPresent())
                .map(e -> new LadderGemmPoints.Point(e.getValue(), gemm.workload(), gemm.setting(), d.get(0), d.get(1), d.get(2))).toList();
    }

    /** Ladder's row: its GEMM measurements, and for the other columns the kernel that is missing. */
    static final Row LADDER_ROW = new Row("Ladder", ladderSources(),
            column -> java.util.Objects.requireNonNullElse(LadderGemmPoints.noKernelReason(COLUMN_FORMATS.get(column)), "not measured by this build"));

    private static Map<String, Source> ladderSources() {
        Map<String, Source> cells = new java.util.HashMap<>();
        COLUMN_FORMATS.forEach((column, pair) -> {
            if (LadderGemmPoints.kernelFormats(pair).isPresent()) cells.put(column, new Source(LadderGemmPoints.SYSTEM, pair));
        });
        return cells;
    }

    /** The rows in the paper's order: cuBLAS, Ladder, PyTorch. */
    static List<Row> rows() { return List.of(LIBRARY_ROWS.get(0), LADDER_ROW, LIBRARY_ROWS.get(1)); }

    private Table1Reproduction() {}

    private static List<BaselinePoints.Step> baselines(String python) {
        BaselineWorkload gemm = BaselineWorkload.table1Gemm();
        return BaselinePoints.select(python, BASELINES, gemm::equals);
    }

    static ReproducePlan plan(boolean quick) {
        List<LadderGemmPoints.Point> ladder = ladderPoints();
        List<ReproducePlan.PlannedPoint> points = new ArrayList<>(ladder.stream().map(LadderGemmPoints.Point::plan).toList());
        points.addAll(BaselinePoints.plan(baselines("python3"), quick));
        List<String> notes = new ArrayList<>();
        for (String column : List.of("W_FP8A_FP8", "W_NF4A_FP16")) notes.add("Ladder " + column + ": n/a (" + LADDER_ROW.noKernel().apply(column) + ")");
        notes.add("W_NF4A_FP16: x for the libraries (no NF4 kernel)");
        return new ReproducePlan(points, List.of(LadderGemmPoints.buildCost(ladder)), notes);
    }

    static Reproduction run(Dataset paper, ReproduceContext rc) {
        CudaContext ctx = CudaContext.forDevice(0);
        String gpu = ctx.device().name();
        List<Measurement> ms = new ArrayList<>(LadderGemmPoints.measure(ladderPoints(), ctx, rc, "table1"));
        ms.addAll(BaselinePoints.run(baselines(rc.python()), rc, "table1"));
        Optional<GpuPeaks.Peaks> peaks = GpuPeaks.forDevice(gpu);
        rc.out().println(peaks.map(p -> "table1: peaks of " + p.model() + " from the " + p.source()).orElse("table1: " + GpuPeaks.unknownMessage(gpu)));
        return new Reproduction(measured(paper.panels().get(0), gpu, peaks, ms, rc.version()), ms);
    }

    /** The measured data set: a percent-of-peak panel and a TFLOP/s panel for {@code gpu}, with the paper's columns. */
    static Dataset measured(Panel paperPanel, String gpu, Optional<GpuPeaks.Peaks> peaks, List<Measurement> ms, String version) {
        BaselineWorkload gemm = BaselineWorkload.table1Gemm();
        List<String> columns = paperPanel.xPlainLabels();
        List<Series> percent = new ArrayList<>();
        List<Series> tflops = new ArrayList<>();
        for (Row row : rows()) {
            List<Double> pv = new ArrayList<>(), tv = new ArrayList<>();
            List<String> pr = new ArrayList<>(), tr = new ArrayList<>();
            for (String column : columns) {
                Source src = row.cells().get(column);
                Measurement m = src == null ? null : find(ms, src, gemm);
                String missing = src == null ? row.noKernel().apply(column)
                        : m == null ? "not measured by this build"
                        : m.status() != Measurement.Status.OK ? m.status().name().toLowerCase(Locale.ROOT) + ": " + m.reason() : null;
                Double t = missing == null ? tflops(m, gemm) : null;
                tv.add(t);
                tr.add(missing);
                OptionalDouble peak = peaks.map(p -> p.peak(COMPUTE.get(column))).orElse(OptionalDouble.empty());
                pv.add(t != null && peak.isPresent() ? percentOfPeak(t, peak.getAsDouble()) : null);
                pr.add(missing != null ? missing : peaks.isEmpty() ? GpuPeaks.unknownMessage(gpu) : peak.isEmpty()
                        ? "no datasheet tensor peak of " + gpu + " for " + COMPUTE.get(column) : null);
            }
            percent.add(series(row.name(), pv, pr));
            tflops.add(series(row.name(), tv, tr));
        }

        String id = gpu.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        Map<String, Double> used = new java.util.LinkedHashMap<>();
        peaks.ifPresent(p -> columns.forEach(c -> p.peak(COMPUTE.get(c)).ifPresent(v -> used.put(c, v))));
        Panel percentPanel = new Panel(id, "Performance Overview - " + gpu + (peaks.isEmpty() ? " (peak unknown)" : ""), paperPanel.workload(),
                gpu, paperPanel.x(), null, used, percent);
        Panel tflopsPanel = new Panel(id + TFLOPS_SUFFIX, "Achieved TFLOP/s (TOP/s for INT8) - " + gpu, paperPanel.workload(), gpu,
                paperPanel.x(), null, null, tflops);
        String provenance = "ladder-ae --reproduce on " + gpu + ": " + gemm.setting() + " NT GEMM; percent = 2MNK / median time / peak. "
                + peaks.map(p -> "Peaks: " + p.model() + " dense tensor peaks from the " + p.source() + (p.note() != null ? "; " + p.note() : ""))
                        .orElse(GpuPeaks.unknownMessage(gpu));
        return MeasuredPanels.dataset(gpu, version, provenance, List.of(percentPanel, tflopsPanel));
    }

    private static Series series(String name, List<Double> values, List<String> reasons) {
        return new Series(name, name, name, null, null, values, reasons, null);
    }

    private static Measurement find(List<Measurement> ms, Source src, BaselineWorkload w) {
        return ms.stream().filter(m -> m.system().equals(src.system()) && src.formats().equals(m.formats())
                && m.workload().equals(w.workload()) && m.setting().equals(w.setting())).findFirst().orElse(null);
    }

    /** Achieved TFLOP/s (TOP/s for integers) of a GEMM measurement: 2*M*N*K per median time. */
    static double tflops(Measurement m, BaselineWorkload gemm) {
        List<Integer> d = gemm.dims();
        return 2.0 * d.get(0) * d.get(1) * d.get(2) / (m.medianMs() * 1e-3) / 1e12;
    }

    static double percentOfPeak(double tflops, double peakTflops) { return tflops / peakTflops * 100; }
}
