package org.ladderae.experiments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ladderae.baselines.BaselineRunner;
import org.ladderae.baselines.Baselines;
import org.ladderae.checkpoints.CheckpointStore;
import org.ladderae.checkpoints.FileTrees;
import org.ladderae.gpu.CudaContext;
import org.ladderae.kernels.ConvShape;
import org.ladderae.kernels.KernelCache;
import org.ladderae.models.CnnModels;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.Series;
import org.ladderae.results.Measurement;
import org.ladderae.results.TimingStats;
import org.ladderae.tuning.ConvTuningProblem;
import org.ladderae.tuning.TuningEnvironment;

/**
 * Table 2 measured here: the wall-clock time Ladder's tuner takes for a whole model, from scratch. As the artifact's
 * Ladder time covers only its tuning pass over the FP16 model, ours covers tuning every distinct dense conv of the model
 * ({@link CnnModels#denseConvShapes}) with {@link ConvTuningProblem#tuneFromScratch}: an empty kernel cache, so every
 * candidate is generated, compiled, timed and the winner checked against the double reference. The depthwise convs,
 * pooling and classifier run on fixed kernels and are not tuned. The per-phase breakdown is a second panel; the winners
 * are saved as conv checkpoints in the run directory. AMOS, TensorIR and Welder are n/a with their detectors' reasons.
 */
final class Table2Reproduction {
    static final String LADDER = "Ladder";
    /** The paper panel's id, which the measurements carry as their workload (MeasuredPanels matches on it). */
    static final String PANEL = "compile_time";
    static final String PHASES_PANEL = "compile_time_phases";
    static final List<String> PHASES = List.of("codegen", "compile", "measure", "check");
    /** One row's tuning on the H100 with 16 cores: about a minute (compile dominates); used for --dry-run only. */
    static final double ROW_SECONDS_ESTIMATE = 60;

    /** A row of the table: the paper's label, the workload as the CNN builders name it, and the batch. */
    record Row(String label, String workload, int batch) {}

    private Table2Reproduction() {}

    /** The paper's rows, read from its x settings ("ResNet-50" / "ShuffleNet-v2 x1.0" and a batch). */
    static List<Row> rows(Panel paper) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < paper.x().size(); i++) {
            String label = paper.xPlainLabels().get(i);
            String workload = label.startsWith("ResNet") ? "resnet" : label.startsWith("ShuffleNet") ? "shufflenet" : null;
            if (workload == null) throw new IllegalStateException("Table 2 row '" + label + "' names no CNN this build knows");
            int batch = Integer.parseInt(label.substring(label.indexOf('(') + 1, label.indexOf(')')));
            rows.add(new Row(label, workload, batch));
        }
        return rows;
    }

    static ReproducePlan plan(Dataset paper) {
        List<ReproducePlan.PlannedPoint> points = new ArrayList<>();
        for (Row r : rows(paper.panels().get(0))) {
            points.add(new ReproducePlan.PlannedPoint(LADDER + " tuner", "W_FP16A_FP16", r.workload(), r.label(),
                    CnnModels.denseConvShapes(r.workload(), r.batch()).size() + " distinct dense convs", ROW_SECONDS_ESTIMATE));
        }
        return new ReproducePlan(points, List.of(), List.of("AMOS, TensorIR, Welder: n/a unless installed (their tuners are not run by ladder-ae)"));
    }

    static Reproduction run(Dataset paper, ReproduceContext rc) {
        CudaContext ctx = CudaContext.forDevice(0);
        String gpu = ctx.device().name();
        Panel template = paper.panels().get(0);
        List<Measurement> ms = new ArrayList<>();
        for (Row row : rows(template)) {
            Measurement m = rc.measurements().reuse(LADDER, null, PANEL, row.label());
            if (m == null) {
                m = tune(row, ctx, rc);
                rc.measurements().record(List.of(m));
            }
            ms.add(m);
            if (m.status() == Measurement.Status.OK) {
                double paperMinutes = value(template, "Ladder", row.label());
                rc.out().printf(Locale.ROOT, "table2: %s tuned in %.2f min on %s (paper, A100: %.0f min; %.3fx of it)%n", row.label(),
                        minutes(m), gpu, paperMinutes, minutes(m) / paperMinutes);
            }
        }
        Map<String, String> other = otherTuners(rc.python());
        for (Series s : template.series()) {
            if (s.system().equals(LADDER)) continue;
            for (Row row : rows(template)) {
                ms.add(Measurement.notAvailable(s.system(), null, PANEL, row.label(),
                        other.getOrDefault(s.system(), s.system() + " is not installed here")));
            }
        }
        Panel measured = MeasuredPanels.fill(template, ms, Table2Reproduction::minutes, "no tuning time",
                (series, x) -> "not measured by this build");
        String provenance = "ladder-ae --reproduce on " + gpu + ": Ladder = wall-clock time of tuning every distinct dense conv of the "
                + "FP16 model from an empty kernel cache (generate, compile, time every candidate, check the winner against the "
                + "double-precision reference); depthwise convs, pooling and the classifier use fixed kernels. Minutes.";
        return new Reproduction(MeasuredPanels.dataset(gpu, rc.version(), provenance, List.of(measured, phases(template, ms))), ms);
    }

    /** Tunes one row from scratch; a shape with no candidate that passes its check fails the row (the model could not run tuned). */
    private static Measurement tune(Row row, CudaContext ctx, ReproduceContext rc) {
        List<ConvShape> shapes = CnnModels.denseConvShapes(row.workload(), row.batch());
        // Tuning from scratch compiles every candidate: without nvcc there is nothing to time (shipped checkpoints skip it).
        if (KernelCache.defaultCache().nvcc().isEmpty())
            return Measurement.notAvailable(LADDER, null, PANEL, row.label(), "tuning compiles kernels and no nvcc was found: put CUDA's bin directory on PATH");
        Path scratch;
        try {
            scratch = Files.createTempDirectory("ladder-ae-table2-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch kernel cache for Table 2", e);
        }
        try {
            ConvTuningProblem.Result result = ConvTuningProblem.tuneFromScratch(row.label(), shapes, ctx, scratch, rc.seed(), rc.out());
            rc.out().println("table2: " + result.describe());
            List<String> failures = result.shapes().stream().filter(s -> !s.tuned()).map(s -> s.shape().dims() + ": " + s.failure()).toList();
            if (!failures.isEmpty()) {
                return Measurement.failed(LADDER, null, PANEL, row.label(), failures.size() + " of " + shapes.size()
                        + " convs found no kernel that passed its check: " + String.join("; ", failures));
            }
            saveCheckpoints(result, shapes, ctx, scratch, rc);
            Map<String, Double> extras = new LinkedHashMap<>();
            result.phases().millis().forEach((phase, msValue) -> extras.put(phase + "_ms", msValue));
            extras.put("conv_shapes", (double) shapes.size());
            extras.put("kernels_compiled", (double) result.distinctKernels());
            extras.put("candidates_timed", (double) result.candidateLaunches());
            Map<String, String> notes = new LinkedHashMap<>();
            notes.put("what", "tuning of " + shapes.size() + " distinct dense FP16 convs from an empty kernel cache");
            return new Measurement(LADDER, null, PANEL, row.label(), Measurement.Status.OK,
                    TimingStats.of(new double[] {result.phases().total().toMillis()}), null, ctx.device().name(), notes, extras);
        } finally {
            try {
                FileTrees.deleteRecursively(scratch);
            } catch (IOException e) {
                rc.out().println("table2: could not remove the scratch kernel cache " + scratch + ": " + e.getMessage());
            }
        }
    }

    /** The winners as conv checkpoints in the run directory (never over the shipped ones); copy them into checkpoints/ to ship them. */
    private static void saveCheckpoints(ConvTuningProblem.Result result, List<ConvShape> shapes, CudaContext ctx, Path scratch, ReproduceContext rc) {
        if (rc.tunedCheckpoints() == null) return;
        KernelCache cache = new KernelCache(scratch, List.of(), KernelCache.defaultCache().nvcc());
        try (org.ladderae.kernels.ConvRunner runner = new org.ladderae.kernels.ConvRunner(ctx, cache)) {
            ConvTuningProblem problem = new ConvTuningProblem(result.name(), shapes, org.ladderae.kernels.ConvFormat.W_FP16A_FP16, runner, cache, rc.seed());
            problem.save(result, new CheckpointStore(rc.tunedCheckpoints()), TuningEnvironment.of(ctx, cache));
        } catch (IOException e) {
            rc.out().println("table2: could not save the tuned conv checkpoints: " + e.getMessage());
        }
    }

    /** The per-phase breakdown of Ladder's rows (minutes), one series per phase. */
    static Panel phases(Panel template, List<Measurement> ms) {
        List<Series> series = new ArrayList<>();
        for (String phase : PHASES) {
            List<Double> values = new ArrayList<>();
            List<String> reasons = new ArrayList<>();
            for (String x : template.xPlainLabels()) {
                Measurement m = ms.stream().filter(r -> r.system().equals(LADDER) && r.setting().equals(x)).findFirst().orElse(null);
                Double v = m != null && m.status() == Measurement.Status.OK ? m.extras().get(phase + "_ms") : null;
                values.add(v == null ? null : v / 60_000);
                reasons.add(v != null ? null : m == null ? "not measured by this build" : m.status() == Measurement.Status.OK
                        ? "no " + phase + " time recorded" : m.status().name().toLowerCase(Locale.ROOT) + ": " + m.reason());
            }
            String name = LADDER + " " + phase;
            series.add(new Series(name, name, name, null, null, values, reasons, null));
        }
        return new Panel(PHASES_PANEL, "Ladder tuning time by phase (minutes)", template.workload(), null, template.x(), null, null, series);
    }

    static double minutes(Measurement m) { return m.medianMs() / 60_000; }

    private static double value(Panel p, String plainName, String x) {
        for (Series s : p.series()) if (s.plainName().equals(plainName)) return s.value(p.xPlainLabels().indexOf(x));
        return Double.NaN;
    }

    /** Why each other tuner of the table cannot run here, from the baselines' detectors (installed or not, we do not drive their tuners). */
    private static Map<String, String> otherTuners(String python) {
        Map<String, String> why = new LinkedHashMap<>();
        for (BaselineRunner r : Baselines.all(python, BaselineRunner.Options.defaultCacheDir())) {
            if (!List.of("AMOS", "TensorIR", "Welder").contains(r.system()) || why.containsKey(r.system())) continue;
            var d = r.detect();
            why.put(r.system(), d.available() ? r.system() + " is installed, but ladder-ae does not drive its tuner" : "not available: " + d.reason());
        }
        return why;
    }
}
