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
    void figure14M4096PanelHasAllTwelveSeriesAtAllFourShapes() {
        Panel panel = FIGURE14.requirePanel(Figure14Reproduction.OPERATORS_M4096);
        List<LadderGemmPoints.Point> points = LadderGemmPoints.forPanel(panel);
        List<FormatPair> ladderSeries = panel.series().stream().filter(Series::isLadder).map(Series::formats).toList();
        assertThat(ladderSeries).hasSize(12);
        assertThat(points).hasSize(48).extracting(LadderGemmPoints.Point::series).containsOnlyElementsOf(ladderSeries)
                .containsAll(ladderSeries);
        assertThat(points).extracting(LadderGemmPoints.Point::m).containsOnly(4096);
        assertThat(LadderGemmPoints.planNotes(panel)).isEmpty();
        // The new pairs map to the kernels' formats; INT4 activations run the packed-INT4 s8 kernel
        LadderGemmPoints.Point int2Int4 = points.stream().filter(p -> p.series().equals(new FormatPair(NumberFormat.INT2, NumberFormat.INT4)))
                .filter(p -> p.setting().equals("M2")).findFirst().orElseThrow();
        assertThat(List.of(int2Int4.weights(), int2Int4.acts())).containsExactly(Format.INT2, Format.INT4);
        assertThat(int2Int4.config(org.ladderae.kernels.TargetArch.forComputeCapability(9, 0)).kernelName())
                .isEqualTo("ladder_gemm_w_int2_a_int4_mma16832_128x128x128_w2x2_4stage");
        // every M = 4096 shape of the panel divides into the chosen tiles (N = 1024 for M0)
        assertThat(points).allSatisfy(p -> p.config(org.ladderae.kernels.TargetArch.forComputeCapability(9, 0)));
        // The M = 1 panel is the GEMV kernels'.
        assertThat(LadderGemmPoints.forPanel(FIGURE14.requirePanel(Figure14Reproduction.OPERATORS_M1))).isEmpty();
    }

    @Test
    void otherFormatsAtGemmSizedMNameTheMissingKernel() {
        Panel matmul = FIGURE14.requirePanel(Figure14Reproduction.OPERATORS_M4096);
        // Every series of this panel has a kernel now: a Ladder series of a pair without one (NF4 weights with INT8
        // activations) on the same panel names the missing kernel.
        Series some = matmul.series().stream().filter(Series::isLadder).findFirst().orElseThrow();
        Series nf4Int8 = new Series("Ladder-W_NF4A_INT8", "Ladder-W_NF4A_INT8", some.system(), new FormatPair(NumberFormat.NF4, NumberFormat.INT8),
                some.stage(), some.values(), null, null);
        Panel withNf4Int8 = new Panel(matmul.id(), matmul.title(), matmul.workload(), matmul.device(), matmul.x(), matmul.plottedX(),
                matmul.peakTflops(), java.util.stream.Stream.concat(matmul.series().stream(), java.util.stream.Stream.of(nf4Int8)).toList());
        String x = matmul.x().get(0).plainLabel();
        assertThat(LadderGemmPoints.notCovered(withNf4Int8, nf4Int8, x)).startsWith("no GEMM kernel for W_NF4A_INT8 yet")
                .contains("W_INT2A_FP16", "W_INT4A_INT4", "W_INT2A_INT8");
        assertThat(LadderGemmPoints.planNotes(withNf4Int8)).singleElement().asString().contains("W_NF4A_INT8");
        Series int2 = matmul.series().stream().filter(s -> new FormatPair(NumberFormat.INT2, NumberFormat.FP16).equals(s.formats())).findFirst().orElseThrow();
        assertThat(LadderGemmPoints.notCovered(matmul, int2, x)).isEqualTo("not measured by this build");
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
        assertThat(f14.points()).filteredOn(p -> p.system().equals("Ladder GEMM")).hasSize(48);
        assertThat(f14.notes()).filteredOn(n -> n.startsWith(Figure14Reproduction.OPERATORS_M4096)).isEmpty();

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
