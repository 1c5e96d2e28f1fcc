package org.ladderae.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ladderae.experiments.FigureGemmShapes;
import org.ladderae.kernels.GemmConfig;
import org.ladderae.kernels.GemmConfig.Format;
import org.ladderae.kernels.GemmConfig.Path;
import org.ladderae.kernels.GemmKernels;
import org.ladderae.kernels.TargetArch;

/** The GEMM tuning space: what it enumerates, what each pruning rule removes and why, and that it is deterministic. */
class GemmSpaceTest {
    private static final TargetArch H100 = TargetArch.parse("sm_90a");
    private static final TargetArch A100 = TargetArch.parse("sm_80");
    private static final TargetArch RTX = TargetArch.parse("sm_86");

    @Test
    void theHeuristicsPickComesFirstAndEveryCandidateIsDistinct() {
        GemmConfig heuristic = GemmKernels.forShape(Format.INT4, Format.FP16, 4096, 28672, 8192, H100);
        List<GemmConfig> c = GemmSpace.candidates(Format.INT4, Format.FP16, 4096, 28672, 8192, H100);
        assertThat(c.get(0)).isEqualTo(heuristic);
        assertThat(c).doesNotHaveDuplicates().hasSizeGreaterThan(4);
        assertThat(c).allSatisfy(x -> assertThat(List.of(x.weight(), x.activation(), x.m(), x.n(), x.k()))
                .containsExactly(Format.INT4, Format.FP16, 4096, 28672, 8192));
    }

    @Test
    void sameInputsGiveTheSameListInTheSameOrder() {
        GemmSpace.Plan a = GemmSpace.plan(Format.FP16, Format.FP16, 32, 14336, 57344, H100);
        GemmSpace.Plan b = GemmSpace.plan(Format.FP16, Format.FP16, 32, 14336, 57344, H100);
        assertThat(a).isEqualTo(b);
        assertThat(a.candidates()).extracting(GemmConfig::kernelName).isEqualTo(b.candidates().stream().map(GemmConfig::kernelName).toList());
    }

    @Test
    void nMustBeAMultipleOfTheTileWidth() {
        GemmSpace.Plan p = GemmSpace.plan(Format.FP16, Format.FP16, 32, 384, 4096, H100);
        assertThat(p.candidates()).isNotEmpty().allSatisfy(c -> assertThat(384 % c.bn()).isZero()).noneMatch(c -> c.bn() == 256);
        assertThat(p.pruned()).anySatisfy(x -> assertThat(x.reason()).isEqualTo("N=384 is not a multiple of BN=256"));
    }

    @Test
    void kMustBeAMultipleOfTheKTileTimesSplitK() {
        // FP16 activations: BK = 64; K = 384 takes split-K 2 (128) but not 4 (256).
        GemmSpace.Plan p = GemmSpace.plan(Format.INT4, Format.FP16, 32, 1024, 384, H100);
        assertThat(p.candidates()).extracting(GemmConfig::splitK).contains(1, 2).doesNotContain(4);
        assertThat(p.pruned()).anySatisfy(x -> assertThat(x.reason()).isEqualTo("K=384 is not a multiple of BK*splitK=256"));
        // 8-bit activations: BK = 128, so split-K 2 needs K % 256.
        assertThat(GemmSpace.candidates(Format.INT8, Format.INT8, 32, 1024, 384, H100)).extracting(GemmConfig::splitK).containsOnly(1);
    }

    @Test
    void splitKIsOnlyTriedAtSmallM() {
        assertThat(GemmSpace.candidates(Format.FP16, Format.FP16, 32, 8192, 28672, H100)).extracting(GemmConfig::splitK).contains(2, 4);
        assertThat(GemmSpace.candidates(Format.FP16, Format.FP16, 4096, 8192, 28672, H100)).extracting(GemmConfig::splitK).containsOnly(1);
        assertThat(GemmSpace.rule(new GemmSpace.Tile(Path.MMA16816, 128, 128, 2, 2, 3, 2), Format.FP16, Format.FP16, 4096, 8192, 28672, H100))
                .startsWith("split-K only at M <= 64");
    }

    @Test
    void sharedMemoryIsBoundedByTheArchsPerBlockLimit() {
        GemmSpace.Plan h100 = GemmSpace.plan(Format.FP16, Format.FP16, 4096, 8192, 8192, H100);
        // wgmma 128x256 with 5 stages needs 246784 B: over the 227 KiB of sm_90a too.
        assertThat(h100.candidates()).allSatisfy(c -> assertThat(c.sharedMemoryBytes()).isLessThanOrEqualTo(GemmConfig.MAX_SMEM_PER_BLOCK));
        assertThat(h100.pruned()).anySatisfy(x -> assertThat(x.candidate()).isEqualTo("wgmma 128x256 w8x1 5st"));
        GemmSpace.Plan rtx = GemmSpace.plan(Format.FP16, Format.FP16, 4096, 8192, 8192, RTX);
        assertThat(rtx.candidates()).isNotEmpty().allSatisfy(c -> assertThat(c.sharedMemoryBytes()).isLessThanOrEqualTo(101_376));
        assertThat(rtx.pruned()).anySatisfy(x -> assertThat(x.reason()).contains("over sm_86's 101376 B per block"));
    }

    @Test
    void pathsFollowTheArch() {
        assertThat(GemmSpace.candidates(Format.FP16, Format.FP16, 4096, 8192, 8192, H100)).extracting(GemmConfig::path).contains(Path.WGMMA, Path.MMA16816);
        GemmSpace.Plan a100 = GemmSpace.plan(Format.FP16, Format.FP16, 4096, 8192, 8192, A100);
        assertThat(a100.candidates()).isNotEmpty().extracting(GemmConfig::path).containsOnly(Path.MMA16816);
        assertThat(a100.pruned()).anySatisfy(x -> assertThat(x.reason()).isEqualTo("wgmma needs sm_90a, not sm_80"));
        // FP8 tensor cores start at sm_89: nothing runs W_FP8A_FP8 on an A100.
        GemmSpace.Plan fp8 = GemmSpace.plan(Format.FP8_E4M3, Format.FP8_E4M3, 4096, 8192, 8192, A100);
        assertThat(fp8.candidates()).isEmpty();
        assertThat(fp8.pruned()).anySatisfy(x -> assertThat(x.reason()).isEqualTo("FP8 mma.sync needs sm_89 or newer, not sm_80"));
        // INT4 weights have no wgmma kernel: the space says so rather than trying one.
        assertThat(GemmSpace.plan(Format.INT4, Format.FP16, 4096, 8192, 8192, H100).pruned())
                .anySatisfy(x -> assertThat(x.reason()).isEqualTo("no WGMMA kernel for W_INT4A_FP16"));
    }

    @Test
    void theTmaKernelIsOfferedForEveryPairItTakesOnSm90aOnly() {
        for (Format[] f : new Format[][] {{Format.FP8_E4M3, Format.FP8_E4M3}, {Format.INT8, Format.INT8}, {Format.INT2, Format.FP16},
                {Format.INT1, Format.FP16}, {Format.INT8, Format.FP16}, {Format.INT4, Format.INT8}, {Format.INT1, Format.INT8}}) {
            GemmSpace.Plan p = GemmSpace.plan(f[0], f[1], 4096, 28672, 8192, H100);
            List<GemmConfig> tma = p.candidates().stream().filter(c -> c.path() == Path.WGMMA_TMA).toList();
            // the heuristic's pick (the TMA kernel with its default stages) first, then the other stage counts that fit
            assertThat(p.candidates().get(0).path()).as("W_%sA_%s", f[0], f[1]).isEqualTo(Path.WGMMA_TMA);
            assertThat(tma).as("W_%sA_%s", f[0], f[1]).isNotEmpty().doesNotHaveDuplicates()
                    .allSatisfy(c -> assertThat(c.sharedMemoryBytes()).isLessThanOrEqualTo(GemmConfig.MAX_SMEM_PER_BLOCK));
            if (!GemmConfig.tmaSharedOperands(f[0], f[1])) assertThat(tma).extracting(GemmConfig::stages).contains(4, 5);
        }
        // 5 and 6 stages of the 48 KiB shared-operand tile do not fit
        assertThat(GemmSpace.plan(Format.FP8_E4M3, Format.FP8_E4M3, 4096, 28672, 8192, H100).pruned())
                .anySatisfy(x -> assertThat(x.candidate()).isEqualTo("tma 5st"));
        assertThat(GemmSpace.plan(Format.INT1, Format.INT8, 4096, 28672, 8192, A100).pruned())
                .anySatisfy(x -> assertThat(x.reason()).isEqualTo("wgmma needs sm_90a, not sm_80"));
        // weights in registers with INT8 activations take K in steps of 256
        assertThat(GemmSpace.plan(Format.INT1, Format.INT8, 4096, 28672, 8320, H100).pruned())
                .anySatisfy(x -> assertThat(x.reason()).isEqualTo("K=8320 is not a multiple of 256 (TMA kernel)"));
        assertThat(GemmSpace.plan(Format.INT4, Format.INT4, 4096, 28672, 8192, H100).pruned())
                .anySatisfy(x -> assertThat(x.reason()).isEqualTo("no WGMMA_TMA kernel for W_INT4A_INT4"));
    }

    @Test
    void anUnknownArchIsRefusedInOneLine() {
        assertThatThrownBy(() -> GemmSpace.plan(Format.FP16, Format.FP16, 4096, 8192, 8192, TargetArch.parse("sm_99")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("unknown GPU arch sm_99 for GEMM tuning").hasMessageNotContaining("\n");
    }

    @Test
    void everyFigureProblemHasCandidatesAndTheWholeSetFitsSevenMinutesOfGpuTime() {
        List<FigureGemmShapes.Shape> shapes = FigureGemmShapes.all();
        // 24 of Figure 12, 48 of Figure 14 (12 pairs x M0-M3) less the 3 shared with Figure 12 M5, 4 of Table 1
        assertThat(shapes).hasSize(73);
        double total = 0;
        for (FigureGemmShapes.Shape s : shapes) {
            GemmTuningPlan.Item i = GemmTuningPlan.item(s.points(), s.weights(), s.acts(), s.m(), s.n(), s.k(), H100);
            assertThat(i.space().candidates()).as(i.describe()).isNotEmpty().hasSizeLessThanOrEqualTo(20);
            total += i.estimateS();
        }
        assertThat(total).isBetween(60.0, 420.0);   // one device call: 600 s, the compiles and the machine's start included
    }
}
