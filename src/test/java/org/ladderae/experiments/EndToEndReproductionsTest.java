package org.ladderae.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.kernels.GemvStage;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.ExperimentData;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.PaperDataLoader;
import org.ladderae.paperdata.Series;
import org.ladderae.reports.PaperVsMeasured;
import org.ladderae.reports.Table;
import org.ladderae.results.Measurement;
import org.ladderae.results.TimingStats;

/**
 * Figures 9, 11 and 13 reproduced without a GPU: a shell script stands in for python3 (torch_bench.py's
 * JSON lines for the models, failing imports for the other baselines' detectors) and a fake
 * LadderModelRunner for the executor. Checks the data flow into the paper's panels, the n/a and failed
 * reasons, --quick, the normalisation to PyTorch-Inductor / +Transform, the memory views, resume, and
 * that the charts and tables are written.
 */
class EndToEndReproductionsTest {
    private static final double EAGER_MS = 4.0, INDUCTOR_MS = 2.0, LADDER_FP16_MS = 1.0;

    /**
     * python3 as the harness calls it: {@code -c CODE} (detectors: every import fails), {@code torch_bench.py env},
     * {@code torch_bench.py ... model --modes M1,M2 --run MODEL:B:S} (one OK line per mode, in order; BLOOM under Inductor crashes
     * the process after its eager line).
     * Each model call is appended to {@code calls.log}.
     */
    private static Path fakePython(Path dir) throws IOException {
        Path log = dir.resolve("calls.log");
        String body = String.join("\n",
                "#!/bin/sh",
                "if [ \"$1\" = \"-c\" ]; then echo \"ModuleNotFoundError: No module named 'fake'\" >&2; exit 1; fi",
                "for a in \"$@\"; do if [ \"$a\" = env ]; then echo '{\"torch\": \"2.11-fake\", \"cuda\": \"13.0\", \"cuda_available\": true}'; exit 0; fi; done",
                "mode=''; run=''",
                "while [ $# -gt 0 ]; do case \"$1\" in --modes) mode=$2; shift;; --run) run=$2; shift;; esac; shift; done",
                "echo \"$mode $run\" >> '" + log + "'",
                "model=${run%%:*}; rest=${run#*:}; b=${rest%%:*}; s=${rest#*:}",
                "case $model in llama|bloom) setting=\"BS$b SEQ$s\";; *) setting=\"BS$b\";; esac",
                "for m in $(echo \"$mode\" | tr ',' ' '); do",
                "if [ \"$model $m\" = 'bloom inductor' ]; then echo 'RuntimeError: inductor crashed' >&2; exit 1; fi",
                "if [ \"$m\" = eager ]; then sys=PyTorch; t=" + EAGER_MS + "; else sys=PyTorch-Inductor; t=" + INDUCTOR_MS + "; fi",
                "printf '{\"system\": \"%s\", \"workload\": \"%s\", \"setting\": \"%s\", \"formats\": \"W_FP16A_FP16\", \"status\": \"ok\", "
                        + "\"median_ms\": %s, \"cv\": 0, \"samples_ms\": [%s], \"device\": \"Fake GPU\", \"versions\": {\"torch\": \"fake\"}, "
                        + "\"extras\": {\"driver_used_peak_mb\": 3000, \"torch_peak_allocated_mb\": 2000}}\\n' \"$sys\" \"$model\" \"$setting\" \"$t\" \"$t\"",
                "done",
                "");
        Path p = dir.resolve("python3");
        Files.writeString(p, body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    /**
     * The model executor's stand-in: FP16 is measured (1 ms at +Holistic, slower at earlier stages), every
     * other format n/a; records each point as the contract says, and remembers what it was asked.
     */
    private static final class FakeExecutor implements LadderModelRunner {
        final List<ModelPoint> asked = new ArrayList<>();
        final boolean allFormats;

        FakeExecutor(boolean allFormats) { this.allFormats = allFormats; }

        @Override
        public List<Measurement> measure(List<ModelPoint> points, ReproduceContext rc) {
            List<Measurement> out = new ArrayList<>();
            for (ModelPoint p : points) {
                asked.add(p);
                double ms = switch (p.stage()) {
                    case TRANSFORM -> 2.0;
                    case PTX -> 1.6;
                    default -> LADDER_FP16_MS;
                };
                Measurement m = allFormats || p.formats().equals(FormatPair.FP16)
                        ? new Measurement("Ladder", p.formats(), p.workload(), p.setting(), Measurement.Status.OK,
                                TimingStats.of(new double[] {ms}), null, "Fake GPU", Map.of(), Map.of("peak_driver_mib", 2100.0, "peak_alloc_mib", 1800.0))
                        : Measurement.notAvailable("Ladder", p.formats(), p.workload(), p.setting(), "fake executor: no " + p.formats().label());
                rc.measurements().record(List.of(m));
                out.add(m);
            }
            return out;
        }
    }

    private static ReproduceContext context(Path python, boolean quick, MeasurementLog log) {
        return new ReproduceContext(new PrintWriter(new StringWriter()), python.toString(), quick, 1, "0.0-test", log);
    }

    private static Dataset paper(String id) { return new PaperDataLoader().load(id).requireDataset("paper"); }

    private static Series series(Panel p, String plainName) { return p.series(plainName).orElseThrow(); }

    @Test
    void figure9QuickRunsTorchLiveOnTheFirstSettingsAndExplainsEveryOtherPoint(@TempDir Path dir) throws IOException {
        Path python = fakePython(dir);
        FakeExecutor executor = new FakeExecutor(false);
        Reproduction r = Figure9Reproduction.run(paper("figure9"), context(python, true, MeasurementLog.fresh(null)), executor);

        Panel llama = r.dataset().requirePanel("llama");
        assertThat(series(llama, "PyTorch").value(0)).isEqualTo(EAGER_MS);
        assertThat(series(llama, "PyTorch-Inductor").value(0)).isEqualTo(INDUCTOR_MS);
        assertThat(series(llama, "Ladder").value(0)).isEqualTo(LADDER_FP16_MS);
        assertThat(series(llama, "PyTorch-Inductor").nullReason(1)).isEqualTo(EndToEndPoints.QUICK_SKIPPED);
        assertThat(series(llama, "Welder").nullReason(0)).startsWith("na: ").contains("import welder").contains("nnfusion not on PATH");
        assertThat(series(llama, "TensorRT").nullReason(0)).contains("trtexec not on PATH");
        assertThat(series(llama, "ONNXRuntime").nullReason(0)).contains("onnxruntime not importable");
        assertThat(series(llama, "Ladder-W_INT4A_FP16").nullReason(0)).isEqualTo("na: fake executor: no W_INT4A_FP16");
        Panel bloom = r.dataset().requirePanel("bloom");
        assertThat(series(bloom, "PyTorch-Inductor").nullReason(0)).startsWith("failed: exit status 1").contains("inductor crashed");
        assertThat(series(bloom, "PyTorch").value(0)).isEqualTo(EAGER_MS);
        assertThat(series(r.dataset().requirePanel("vit"), "PyTorch").value(0)).isEqualTo(EAGER_MS);
        // Ladder: every Ladder series of every panel at the first setting only, at the holistic stage.
        assertThat(executor.asked).allSatisfy(p -> assertThat(p.stage()).isEqualTo(GemvStage.HOLISTIC))
                .extracting(LadderModelRunner.ModelPoint::setting).containsOnly("BS1 SEQ1", "BS1");
        assertThat(executor.asked).hasSize(6 + 6 + 4 + 2 + 3 + 3);
        assertThat(r.dataset().device()).isEqualTo("Fake GPU");

        // Speedups over PyTorch-Inductor, the baseline that exists here; the paper's normalised the same way.
        List<Table> tables = PaperVsMeasured.tables(paper("figure9"), r.dataset(), new Figure9().baselineSeries());
        Table llamaRatios = tables.stream().filter(t -> t.title().startsWith("Speedup over PyTorch-Inductor in llama")).findFirst().orElseThrow();
        assertThat(llamaRatios.cell("Ladder (measured)", "BS1 SEQ1")).isEqualTo("2.00x");
        assertThat(llamaRatios.cell("Ladder (paper)", "BS1 SEQ1")).isEqualTo(String.format(java.util.Locale.ROOT, "%.2fx", 3.162500858 / 1.982));
        assertThat(llamaRatios.cell("PyTorch (measured)", "BS1 SEQ1")).isEqualTo("0.50x");
        assertThat(llamaRatios.cell("PyTorch (paper)", "BS1 SEQ1")).isEqualTo("n/a");
    }

    @Test
    void figure9MeasuredChartIsNormalisedToInductorAndDrawnAsAbsoluteLatencyToo(@TempDir Path dir) throws IOException {
        Reproduction r = Figure9Reproduction.run(paper("figure9"), context(fakePython(dir), true, MeasurementLog.fresh(null)), new FakeExecutor(false));
        ExperimentData data = new PaperDataLoader().load("figure9");
        assertThat(Figure9.normalisedTo(r.dataset()).description()).startsWith("PyTorch-Inductor");
        assertThat(Figure9.normalisedTo(data.requireDataset("paper")).description()).startsWith("Welder");
        Path out = Files.createDirectories(dir.resolve("out"));
        List<Path> files = new Figure9().render(new RenderContext(data, r.dataset(), out, EnumSet.of(RenderContext.ChartFormat.PNG),
                new PrintWriter(new StringWriter())));
        assertThat(files).extracting(f -> f.getFileName().toString())
                .containsExactlyInAnyOrder("figure9_end2end_v100.png", "figure9_end2end_v100_latency.png");
        assertThat(files).allSatisfy(f -> assertThat(Files.size(f)).isGreaterThan(10_000));
    }

    @Test
    void figure9ResumeRunsOnlyWhatTheInterruptedRunDidNotHoldAsOk(@TempDir Path dir) throws IOException {
        Path python = fakePython(dir);
        Path file = dir.resolve("measurements.json");
        Figure9Reproduction.run(paper("figure9"), context(python, true, MeasurementLog.fresh(file)), new FakeExecutor(false));
        List<String> firstRun = Files.readAllLines(dir.resolve("calls.log"));
        assertThat(firstRun).hasSize(6).contains("eager,inductor llama:1:1", "eager,inductor resnet:1:0");
        Files.delete(dir.resolve("calls.log"));

        FakeExecutor second = new FakeExecutor(false);
        Reproduction r = Figure9Reproduction.run(paper("figure9"), context(python, true, MeasurementLog.resume(file)), second);
        // Torch: only BLOOM (its Inductor record failed) runs again; Ladder: only the n/a points are asked again.
        assertThat(Files.readAllLines(dir.resolve("calls.log"))).containsExactly("eager,inductor bloom:1:1");
        assertThat(second.asked).noneMatch(p -> p.formats().equals(FormatPair.FP16)).hasSize(24 - 6);
        assertThat(series(r.dataset().requirePanel("llama"), "Ladder").value(0)).isEqualTo(LADDER_FP16_MS);
    }

    @Test
    void figure11DrawsDriverLevelMemoryAndTabulatesTheAllocatorPeakBesideThePaper(@TempDir Path dir) throws IOException {
        Reproduction r = Figure11Reproduction.run(paper("figure11"), context(fakePython(dir), true, MeasurementLog.fresh(null)), new FakeExecutor(false));
        Panel llama = r.dataset().requirePanel("llama");
        assertThat(series(llama, "PyTorch-Inductor").value(0)).isEqualTo(3000.0);
        assertThat(series(llama, "Ladder").value(0)).isEqualTo(2100.0);
        assertThat(series(r.dataset().requirePanel("llama_allocator"), "PyTorch").value(0)).isEqualTo(2000.0);
        assertThat(series(r.dataset().requirePanel("llama_allocator"), "Ladder").value(0)).isEqualTo(1800.0);
        assertThat(series(llama, "vLLM").nullReason(0)).contains("import vllm");
        assertThat(series(llama, "PyTorch").nullReason(2)).isEqualTo(EndToEndPoints.QUICK_SKIPPED);
        assertThat(r.dataset().panels()).extracting(Panel::id).containsExactly("llama", "bloom", "llama_allocator", "bloom_allocator");

        ExperimentData data = new PaperDataLoader().load("figure11");
        StringWriter printed = new StringWriter();
        Path out = Files.createDirectories(dir.resolve("out"));
        List<Path> files = new Figure11().render(new RenderContext(data, r.dataset(), out, EnumSet.of(RenderContext.ChartFormat.PNG),
                new PrintWriter(printed)));
        assertThat(files).extracting(f -> f.getFileName().toString()).contains("figure11_memory_usage_v100.png",
                "figure11_memory_usage_v100_table.txt", "figure11_memory_usage_v100_table.csv");
        assertThat(printed.toString()).containsPattern("PyTorch-Inductor \\(paper\\) +\\| +2660 +\\| +2642 +\\| +6754")
                .containsPattern("PyTorch-Inductor \\(driver\\) +\\| +3000 +\\| +n/a")
                .containsPattern("Ladder \\(allocator\\) +\\| +1800 +\\| +n/a");
    }

    @Test
    void anOkRecordWithoutMemoryIsExplainedNotDrawnAsZero() {
        Panel template = EndToEndPoints.withEagerSeries(paper("figure11").requirePanel("llama"));
        Measurement noExtras = Measurement.ok("Ladder", FormatPair.FP16, "llama", "BS1 SEQ1", TimingStats.of(new double[] {1}), "GPU", null);
        Panel p = Figure11Reproduction.measuredPanels(List.of(paper("figure11").requirePanel("llama")), List.of(noExtras), false).get(0);
        assertThat(template.series()).hasSize(p.series().size());
        assertThat(series(p, "Ladder").nullReason(0)).startsWith("its record has no driver-level peak memory");
    }

    @Test
    void figure13MeasuresEachStageApartAndNormalisesToTransform(@TempDir Path dir) throws IOException {
        Path python = fakePython(dir);
        Path file = dir.resolve("measurements.json");
        FakeExecutor executor = new FakeExecutor(true);
        Reproduction r = Figure13Reproduction.run(paper("figure13"), context(python, false, MeasurementLog.fresh(file)), executor);
        assertThat(executor.asked).hasSize(3 * 2 * 4).allSatisfy(p -> assertThat(p.workload()).isEqualTo("llama"));
        assertThat(executor.asked).extracting(LadderModelRunner.ModelPoint::setting).containsOnly("BS1 SEQ1", "BS1 SEQ4096");

        Panel seq1 = r.dataset().requirePanel("bs1_seq1");
        assertThat(series(seq1, "+Transform").values()).containsOnly(2.0);
        assertThat(series(seq1, "+PTX").values()).containsOnly(1.6);
        assertThat(series(seq1, "+Holistic Schedule").values()).containsOnly(1.0);
        assertThat(series(seq1, "Welder-Roller").nullReason(0)).startsWith("na: not available: ").contains("nnfusion").contains("import roller");
        // Three stages of one point are three records, not one overwritten twice.
        assertThat(MeasurementLog.read(file)).hasSize(3 * 8 + 8).extracting(Measurement::system)
                .contains("Ladder+Transform", "Ladder+PTX", "Ladder+Holistic Schedule", "Welder-Roller");

        Table ratios = PaperVsMeasured.tables(paper("figure13"), r.dataset(), new Figure13().baselineSeries()).stream()
                .filter(t -> t.title().startsWith("Speedup over +Transform in bs1_seq4096")).findFirst().orElseThrow();
        assertThat(ratios.cell("+Holistic Schedule (measured)", "W_INT4A_FP16")).isEqualTo("2.00x");
        assertThat(ratios.cell("+PTX (measured)", "W_FP16A_FP16")).isEqualTo("1.25x");

        ExperimentData data = new PaperDataLoader().load("figure13");
        List<Path> files = new Figure13().render(new RenderContext(data, r.dataset(), Files.createDirectories(dir.resolve("out")),
                EnumSet.of(RenderContext.ChartFormat.PNG), new PrintWriter(new StringWriter())));
        assertThat(files).singleElement().satisfies(f -> assertThat(Files.size(f)).isGreaterThan(10_000));

        // Resumed: every stage's points are OK in the file, so the executor is not asked again.
        FakeExecutor second = new FakeExecutor(true);
        Reproduction resumed = Figure13Reproduction.run(paper("figure13"), context(python, false, MeasurementLog.resume(file)), second);
        assertThat(second.asked).isEmpty();
        assertThat(series(resumed.dataset().requirePanel("bs1_seq4096"), "+PTX").values()).containsOnly(1.6);
    }

    @Test
    void anExecutorThatThrowsFailsItsPointsAndTheRunGoesOn(@TempDir Path dir) throws IOException {
        LadderModelRunner broken = (points, rc) -> { throw new IllegalStateException("no such kernel"); };
        Reproduction r = Figure13Reproduction.run(paper("figure13"), context(fakePython(dir), false, MeasurementLog.fresh(null)), broken);
        assertThat(series(r.dataset().requirePanel("bs1_seq1"), "+PTX").nullReason(0))
                .isEqualTo("failed: the model executor threw IllegalStateException: no such kernel");
    }

    @Test
    void theInstalledRunnerOnAMachineWithoutAGpuLeavesLadderEmptyNamingTheGpu(@TempDir Path dir) throws IOException {
        org.junit.jupiter.api.Assumptions.assumeFalse(org.ladderae.gpu.CudaDriver.availability().available(), "this machine has a GPU");
        Reproduction r = Figure13Reproduction.run(paper("figure13"), context(fakePython(dir), true, MeasurementLog.fresh(null)),
                LadderModelRunner.installed());
        assertThat(r.dataset().requirePanel("bs1_seq1").series()).allSatisfy(s -> assertThat(s.values()).containsOnlyNulls());
        assertThat(series(r.dataset().requirePanel("bs1_seq1"), "+Transform").nullReason(0)).contains("no usable GPU");
    }

    @Test
    void dryRunPlansListTorchAndLadderPointsWithTheirNotes() {
        ReproducePlan quick = Figure9Reproduction.plan(paper("figure9"), true);
        ReproducePlan full = Figure9Reproduction.plan(paper("figure9"), false);
        assertThat(quick.points()).extracting(ReproducePlan.PlannedPoint::system).containsOnly("PyTorch", "Ladder");
        assertThat(String.join("\n", quick.notes())).contains("Welder").contains("TensorRT").contains("vLLM").contains("--quick");
        assertThat(quick.points()).filteredOn(p -> p.system().equals("PyTorch")).hasSize(6);
        assertThat(full.points()).filteredOn(p -> p.system().equals("PyTorch")).hasSize(14);
        assertThat(String.join("\n", full.notes())).contains("normalised to PyTorch-Inductor");
        assertThat(Figure11Reproduction.plan(paper("figure11"), false).points()).filteredOn(p -> p.system().equals("PyTorch")).hasSize(6);
        ReproducePlan f13 = Figure13Reproduction.plan(paper("figure13"));
        assertThat(f13.points()).hasSize(24).extracting(ReproducePlan.PlannedPoint::shape).contains("llama BS1 SEQ4096 transform_ptx");
    }
}
