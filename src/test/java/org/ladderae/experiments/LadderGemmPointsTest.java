package org.ladderae.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ladderae.kernels.GemmConfig.Format;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.PaperDataLoader;
import org.ladderae.paperdata.Series;

/** Which paper series the GEMM kernels measure, at which points, and the n/a reasons for the rest. */
class LadderGemmPointsTest {
    private static final Dataset FIGURE12 = new PaperDataLoader().load("figure12").requireDataset("paper");
    private static final Dataset FIGURE14 = new PaperDataLoader().load("figure14").requireDataset("paper");

    @Test
    void figure12GemmPointsAreEveryLadderSeriesAtM1M2M4M5() {
        List<LadderGemmPoints.Point> points = LadderGemmPoints.forPanel(FIGURE12.requirePanel("matmul"));
        assertThat(points).hasSize(24).extracting(LadderGemmPoints.Point::setting).containsOnly("M1", "M2", "M4", "M5");
        assertThat(points).extracting(LadderGemmPoints.Point::series)
                .containsOnly(FormatPair.FP16, new FormatPair(NumberFormat.INT4, NumberFormat.FP16), new FormatPair(NumberFormat.NF4, NumberFormat.FP16),
                        new FormatPair(NumberFormat.FP8, NumberFormat.FP16), new FormatPair(NumberFormat.INT1, NumberFormat.INT8),
                        new FormatPair(NumberFormat.MXFP8, NumberFormat.MXFP8));
        // The paper's FP8 weights are E5M2 (EXPERIMENTS.md 2.2)
        assertThat(points).filteredOn(p -> p.series().weights() == NumberFormat.FP8).extracting(LadderGemmPoints.Point::weights)
                .containsOnly(Format.FP8_E5M2);
        LadderGemmPoints.Point m2 = points.stream().filter(p -> p.setting().equals("M2") && !p.series().equals(FormatPair.FP16)).findFirst().orElseThrow();
        assertThat(List.of(m2.m(), m2.n(), m2.k())).containsExactly(4096, 14336, 57344);
        assertThat(m2.weights()).isEqualTo(Format.INT4);
        // Together with the GEMV points (M0, M3), every Ladder point of a format with kernels is covered once.
        assertThat(LadderGemvPoints.forPanel(FIGURE12.requirePanel("matmul"))).extracting(LadderGemvPoints.Point::setting)
                .doesNotContainAnyElementsOf(points.stream().map(LadderGemmPoints.Point::setting).toList());
    }

    @Test
    void figure14M4096PanelHasTheFourGemmFormatsAtAllFourShapes() {
        List<LadderGemmPoints.Point> points = LadderGemmPoints.forPanel(FIGURE14.requirePanel(Figure14Reproduction.OPERATORS_M4096));
        assertThat(points).hasSize(16).extracting(LadderGemmPoints.Point::series).containsOnly(FormatPair.FP16,
                new FormatPair(NumberFormat.INT4, NumberFormat.FP16), new FormatPair(NumberFormat.INT8, NumberFormat.INT8),
                new FormatPair(NumberFormat.INT1, NumberFormat.INT8));
        assertThat(points).extracting(LadderGemmPoints.Point::m).containsOnly(4096);
        // The M = 1 panel is the GEMV kernels'.
        assertThat(LadderGemmPoints.forPanel(FIGURE14.requirePanel(Figure14Reproduction.OPERATORS_M1))).isEmpty();
    }

    @Test
    void otherFormatsAtGemmSizedMNameTheMissingKernel() {
        Panel matmul = FIGURE14.requirePanel(Figure14Reproduction.OPERATORS_M4096);
        Series int2 = matmul.series().stream().filter(s -> new FormatPair(NumberFormat.INT2, NumberFormat.FP16).equals(s.formats())).findFirst().orElseThrow();
        String x = matmul.x().get(0).plainLabel();
        assertThat(LadderGemmPoints.notCovered(matmul, int2, x)).startsWith("no GEMM kernel for W_INT2A_FP16 yet");
        Panel f12 = FIGURE12.requirePanel("matmul");
        Series nf4 = f12.series().stream().filter(s -> new FormatPair(NumberFormat.NF4, NumberFormat.FP16).equals(s.formats())).findFirst().orElseThrow();
        assertThat(LadderGemmPoints.notCovered(f12, nf4, "M1")).isEqualTo("not measured by this build");
        assertThat(LadderGemmPoints.notCovered(f12, nf4, "M0")).as("M0 is a GEMV point").isNull();
        matmul = f12;
        Series fp16 = matmul.series().stream().filter(s -> s.isLadder() && FormatPair.FP16.equals(s.formats())).findFirst().orElseThrow();
        assertThat(LadderGemmPoints.notCovered(matmul, fp16, "M2")).isEqualTo("not measured by this build");
        Series cublas = matmul.series().stream().filter(s -> !s.isLadder()).findFirst().orElseThrow();
        assertThat(LadderGemmPoints.notCovered(matmul, cublas, "M2")).isNull();

        Panel filled = Figure12Reproduction.measuredMatmul(matmul, List.of());
        Series filledNf4 = filled.series().stream().filter(s -> nf4.formats().equals(s.formats())).findFirst().orElseThrow();
        assertThat(filledNf4.nullReason(1)).isEqualTo("not measured by this build");
    }

    @Test
    void plansListTheGemmPointsAndTheFormatsThatStayNa() {
        ReproducePlan f12 = Figure12Reproduction.plan(FIGURE12, true);
        assertThat(f12.points()).filteredOn(p -> p.system().equals("Ladder GEMM")).hasSize(24)
                .allSatisfy(p -> assertThat(p.seconds()).isGreaterThan(Estimates.GEMM_CHECK_S));
        assertThat(f12.notes()).noneSatisfy(n -> assertThat(n).startsWith("matmul Ladder").contains("no GEMM kernel"));
        assertThat(f12.oneOffs()).anySatisfy(o -> assertThat(o.what()).contains("GEMM kernel configurations"));

        ReproducePlan f14 = Figure14Reproduction.plan(FIGURE14);
        assertThat(f14.points()).filteredOn(p -> p.system().equals("Ladder GEMM")).hasSize(16);
        assertThat(f14.notes()).filteredOn(n -> n.startsWith(Figure14Reproduction.OPERATORS_M4096)).hasSize(8);

        ReproducePlan t1 = Table1Reproduction.plan(true);
        assertThat(t1.points()).filteredOn(p -> p.system().equals("Ladder GEMM")).extracting(ReproducePlan.PlannedPoint::formats)
                .containsExactlyInAnyOrder("W_FP16A_FP16", "W_INT8A_INT8", "W_FP8E4M3A_FP8E4M3", "W_NF4A_FP16");
        assertThat(t1.notes()).noneSatisfy(n -> assertThat(n).contains("no GEMM kernel"));
    }

    @Test
    void table1LadderPointsAreTheLibraryShape() {
        assertThat(Table1Reproduction.ladderPoints()).hasSize(4).allSatisfy(p -> {
            assertThat(List.of(p.m(), p.n(), p.k())).containsOnly(16384);
            assertThat(p.workload()).isEqualTo(org.ladderae.baselines.BaselineWorkload.table1Gemm().workload());
        });
    }

    @Test
    void aPointLoadsTheCheckpointForItsShapeFormatsAndArchElseRunsTheHeuristicAndSaysWhy(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        org.ladderae.kernels.TargetArch h100 = org.ladderae.kernels.TargetArch.parse("sm_90a");
        LadderGemmPoints.Point m5 = LadderGemmPoints.forPanel(FIGURE12.requirePanel("matmul")).stream()
                .filter(p -> p.setting().equals("M5") && p.weights() == Format.INT4).findFirst().orElseThrow();
        org.ladderae.checkpoints.CheckpointStore store = new org.ladderae.checkpoints.CheckpointStore(dir);

        LadderGemmPoints.Resolved none = LadderGemmPoints.resolve(m5, store, h100);
        assertThat(none.config()).isEqualTo(m5.config(h100));
        assertThat(none.cubin()).isNull();
        assertThat(none.source()).startsWith("heuristic GEMM configuration (GemmKernels.forShape): no checkpoint for gemm 4096x8192x28672 W_INT4 A_FP16")
                .doesNotContain("\n");

        // A tuned kernel unlike the heuristic's, so the test sees which one the point runs.
        org.ladderae.kernels.GemmConfig tuned = org.ladderae.kernels.GemmConfig.mma(Format.INT4, Format.FP16, 4096, 8192, 28672, 256, 128, 4, 2, 4, 1);
        assertThat(tuned).isNotEqualTo(m5.config(h100));
        org.ladderae.tuning.TuningReport<org.ladderae.kernels.GemmConfig> report = new org.ladderae.tuning.TuningReport<>("gemm", tuned, new byte[] {7},
                3.0, 3.5, List.of(new org.ladderae.tuning.TuningReport.Trial<>(tuned, 3.0, null)), java.time.Duration.ofSeconds(1),
                java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(3));
        org.ladderae.tuning.GemmCheckpoints.save(store, report, new org.ladderae.tuning.TuningEnvironment("sm_90a", "H100", "13.0", "13.0.88"), false);

        LadderGemmPoints.Resolved hit = LadderGemmPoints.resolve(m5, store, h100);
        assertThat(hit.config()).isEqualTo(tuned);
        assertThat(hit.cubin()).containsExactly(7);
        assertThat(hit.source()).isEqualTo("checkpoint sm_90a/" + org.ladderae.tuning.GemmCheckpoints.name(tuned));

        // Another arch's checkpoint is never run: the heuristic, with one line naming both arches.
        LadderGemmPoints.Resolved a100 = LadderGemmPoints.resolve(m5, store, org.ladderae.kernels.TargetArch.parse("sm_80"));
        assertThat(a100.cubin()).isNull();
        assertThat(a100.config()).isEqualTo(m5.config(org.ladderae.kernels.TargetArch.parse("sm_80")));
        assertThat(a100.source()).contains("were tuned for sm_90a but this GPU is sm_80").doesNotContain("\n");
    }
}
