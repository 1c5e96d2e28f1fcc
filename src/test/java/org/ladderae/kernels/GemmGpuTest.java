package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.GpuTestSupport;
import org.ladderae.kernels.GemmConfig.Format;

/**
 * Every GEMM format pair (FP16 on mma.sync and wgmma, INT8/INT4/INT2/INT1/NF4/FP8 E5M2 weights with FP16 activations,
 * INT8/INT4/INT2/INT1 weights with INT8 activations, INT4/INT2/INT1 weights with packed INT4 activations, FP8 E4M3/E5M2
 * x itself on mma.sync and wgmma, INT8 on wgmma, MXFP8 x MXFP8)
 * with the small-M and large-M tiles, split-K on and off, against the double-precision CPU reference on fresh
 * random data with NaN-poisoned outputs, at odd M (1, 33, 300, 4095) and full tiles (512); on sm_90a also the TMA +
 * warp-specialised wgmma kernels (FP16, INT8, INT4, INT2, INT1, NF4, FP8 E5M2 weights with FP16 activations, FP8 x FP8,
 * INT8/INT4/INT2/INT1 weights with INT8 activations), which forShape picks at large M there, beside the mma.sync tiles
 * an A100 would take for the same pairs. Runs on the GPU machine only.
 */
@Tag("gpu")
class GemmGpuTest {
    private static CudaContext context;
    private static GemmRunner runner;
    private static TargetArch arch;

    static Stream<Arguments> configs() {
        List<Arguments> out = new ArrayList<>();
        TargetArch h100 = TargetArch.forComputeCapability(9, 0), a100 = TargetArch.forComputeCapability(8, 0);
        for (Format[] f : new Format[][] {{Format.FP16, Format.FP16}, {Format.INT4, Format.FP16}, {Format.INT8, Format.INT8},
                {Format.NF4, Format.FP16}, {Format.FP8_E5M2, Format.FP16}, {Format.INT1, Format.INT8}, {Format.FP8_E4M3, Format.FP8_E4M3},
                {Format.FP8_E5M2, Format.FP8_E5M2}, {Format.MXFP8, Format.MXFP8},
                // Figure 14: unsigned INT8/INT2/INT1 weights decoded to FP16; INT4/INT2 weights unpacked to s8 with INT8
                // activations; packed INT4 activations (unpacked to 16 x s8) with INT4/INT2/INT1 weights
                {Format.INT8, Format.FP16}, {Format.INT2, Format.FP16}, {Format.INT1, Format.FP16}, {Format.INT4, Format.INT8},
                {Format.INT2, Format.INT8}, {Format.INT4, Format.INT4}, {Format.INT2, Format.INT4}, {Format.INT1, Format.INT4}}) {
            GemmConfig big = GemmKernels.forShape(f[0], f[1], 4096, 1024, 2048, h100);
            GemmConfig small = GemmKernels.forShape(f[0], f[1], 32, 1024, 2048, h100);
            for (int m : new int[] {33, 4095}) out.add(Arguments.of(big.withShape(m, 512, 2048)));
            // the mma.sync tile forShape gives where there is no wgmma (FP8 needs sm_89: the GPU machine has it)
            GemmConfig noWgmma = GemmKernels.forShape(f[0], f[1], 4096, 1024, 2048, a100);
            if (!noWgmma.equals(big)) for (int m : new int[] {33, 4095}) out.add(Arguments.of(noWgmma.withShape(m, 512, 2048)));
            for (int m : new int[] {1, 33}) {
                out.add(Arguments.of(small.withShape(m, 256, 2048)));
                out.add(Arguments.of(GemmConfig.mma(f[0], f[1], m, 256, 2048, 32, 128, 1, 4, 4, 2)));   // split-K 2
            }
        }
        // wgmma for INT8 and FP8 (FP8 is also on mma.sync at small M above), and FP8 on mma.sync at large M (non-Hopper choice)
        for (Format e : new Format[] {Format.INT8, Format.FP8_E4M3, Format.FP8_E5M2})
            for (int m : new int[] {33, 4095}) out.add(Arguments.of(GemmConfig.wgmma(e, m, 512, 1024, 2, 256, 4)));
        out.add(Arguments.of(GemmConfig.mma(Format.FP8_E4M3, Format.FP8_E4M3, 4095, 256, 1024, 64, 128, 2, 4, 4, 1)));
        // TMA + warp-specialised wgmma (forShape's large-M choice on sm_90a, above) also at M = 1 and a longer K; the
        // cp.async wgmma FP16 kernel and the mma.sync low-bit tiles it replaced there
        for (Format w : new Format[] {Format.FP16, Format.INT4, Format.NF4, Format.FP8_E5M2}) {
            out.add(Arguments.of(GemmConfig.wgmmaTma(w, 1, 512, 1024)));
            out.add(Arguments.of(GemmConfig.wgmmaTma(w, 300, 256 * 3, 4096)));
            if (w != Format.FP16) out.add(Arguments.of(GemmConfig.mma(w, Format.FP16, 4095, 256, 1024, 128, 128, 2, 2, 5, 1)));
        }
        // the TMA kernel's new pairs (GEMM-NOTES "wgmma v3") at M = 1, a partial tile row with a long K, full tiles, and
        // the tuner's other stage counts
        for (Format[] f : new Format[][] {{Format.FP8_E4M3, Format.FP8_E4M3}, {Format.FP8_E5M2, Format.FP8_E5M2}, {Format.INT8, Format.INT8},
                {Format.INT8, Format.FP16}, {Format.INT2, Format.FP16}, {Format.INT1, Format.FP16},
                {Format.INT4, Format.INT8}, {Format.INT2, Format.INT8}, {Format.INT1, Format.INT8}}) {
            GemmConfig t = GemmConfig.wgmmaTma(f[0], f[1], 4096, 1024, 2048);
            out.add(Arguments.of(t.withShape(1, 2 * t.bn(), 1024)));
            // (K kept short: the double-precision CPU reference dominates these checks' time)
            out.add(Arguments.of(t.withShape(300, 3 * t.bn(), 1024)));
            out.add(Arguments.of(t.withShape(512, 2 * t.bn(), 1024)));
            int otherStages = GemmConfig.tmaSharedOperands(f[0], f[1]) ? 3 : 4;
            out.add(Arguments.of(GemmConfig.wgmmaTma(f[0], f[1], 4095, 2 * t.bn(), 1024, otherStages)));
        }
        for (int m : new int[] {33, 4095}) out.add(Arguments.of(GemmConfig.wgmma(Format.FP16, m, 512, 1024, 2, 256, 4)));
        // Figure 14's K (8192) with INT4 activations: the 16x-scaled INT32 sums over many k tiles, odd M
        out.add(Arguments.of(GemmKernels.forShape(Format.INT4, Format.INT4, 4096, 1024, 8192, h100).withShape(1023, 256, 8192)));
        out.add(Arguments.of(GemmKernels.forShape(Format.INT1, Format.FP16, 4096, 1024, 8192, h100).withShape(1023, 256, 8192)));
        // Figure 13 stages BASELINE / TRANSFORM / PTX of the four pairs at their fixed tiles (large and small M, partial tiles)
        for (Format[] f : new Format[][] {{Format.FP16, Format.FP16}, {Format.INT4, Format.FP16}, {Format.INT1, Format.INT8}, {Format.MXFP8, Format.MXFP8}})
            for (GemvStage s : new GemvStage[] {GemvStage.BASELINE, GemvStage.TRANSFORM, GemvStage.PTX}) {
                GemmConfig big = GemmKernels.forStage(f[0], f[1], 4096, 1024, 1024, h100, s);
                for (int m : new int[] {33, 256, 4095}) out.add(Arguments.of(big.withShape(m, 256, 1024)));
                out.add(Arguments.of(GemmKernels.forStage(f[0], f[1], 33, 1024, 1024, h100, s).withShape(33, 256, 1024)));
            }
        // the skinny TMA kernel (17 <= M <= 64 on sm_90a) at M = 17, 32, 33, 64 (GemmSkinnyTmaGpuTest runs these alone)
        for (GemmConfig c : GemmSkinnyTmaGpuTest.skinnyConfigs()) out.add(Arguments.of(c));
        // mma.sync FP16 with the 128x256 tile (the non-Hopper large-M choice)
        out.add(Arguments.of(GemmConfig.mma(Format.FP16, Format.FP16, 4095, 512, 1024, 128, 256, 2, 4, 3, 1)));
        return out.stream();
    }

    @BeforeAll
    static void buildAllInParallel() {
        context = GpuTestSupport.context();
        arch = TargetArch.forComputeCapability(context.device().ccMajor(), context.device().ccMinor());
        runner = new GemmRunner(context, KernelCache.defaultCache());
        runner.buildAll(configs().map(a -> (GemmConfig) a.get()[0]).filter(GemmGpuTest::runsHere).toList());
    }

    private static boolean runsHere(GemmConfig c) {
        boolean wgmma = c.path() == GemmConfig.Path.WGMMA || c.path() == GemmConfig.Path.WGMMA_TMA;
        return !wgmma || arch.hasWgmma();
    }

    @AfterAll
    static void close() {
        if (runner != null) runner.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void matchesTheDoublePrecisionReference(GemmConfig config) {
        org.junit.jupiter.api.Assumptions.assumeTrue(runsHere(config), "wgmma needs sm_90a");
        GemmChecks.assertMatchesReference(runner, config);
    }

    @Test
    void timesTheTmaFp16Kernel() {
        org.junit.jupiter.api.Assumptions.assumeTrue(arch.hasWgmma(), "wgmma needs sm_90a");
        GemmConfig c = GemmKernels.forShape(Format.FP16, Format.FP16, 4096, 28672, 8192, arch);
        assertThat(c.path()).isEqualTo(GemmConfig.Path.WGMMA_TMA);
        assertThat(runner.checkAll(c, 2).passed()).isTrue();
        GemmRunner.Timing t = runner.time(c, 2);
        System.out.printf("%s 4096x28672x8192: %.3f ms, %.1f TFLOP/s%n", c.kernelName(), t.stats().medianMs(), t.tflops());
        // the dev harness measured 612 TFLOP/s on an H200 (docs/kernels/GEMM-NOTES.md, wgmma v2)
        assertThat(t.tflops()).isBetween(200.0, 989.4);
    }

    /** FP8 x FP8 and INT1 x INT8 on the TMA kernel (the dev harness: 1154 TFLOP/s and 1649 TOP/s on the H100 at this shape). */
    @Test
    void timesTheTmaFp8AndInt1xInt8Kernels() {
        org.junit.jupiter.api.Assumptions.assumeTrue(arch.hasWgmma(), "wgmma needs sm_90a");
        for (Format[] f : new Format[][] {{Format.FP8_E4M3, Format.FP8_E4M3}, {Format.INT1, Format.INT8}}) {
            GemmConfig c = GemmKernels.forShape(f[0], f[1], 4096, 28672, 8192, arch);
            assertThat(c.path()).isEqualTo(GemmConfig.Path.WGMMA_TMA);
            assertThat(runner.checkAll(c, 3).passed()).isTrue();
            GemmRunner.Timing t = runner.time(c, 3);
            System.out.printf("%s 4096x28672x8192: %.3f ms, %.1f TFLOP/s%n", c.kernelName(), t.stats().medianMs(), t.tflops());
            assertThat(t.tflops()).isBetween(300.0, 1979.0);   // under the H100's dense FP8/INT8 peak
        }
    }

    @Test
    void timesTheInt4Kernel() {
        GemmConfig c = GemmKernels.forShape(Format.INT4, Format.FP16, 4096, 28672, 8192, arch);
        assertThat(runner.checkAll(c, 1).passed()).isTrue();
        GemmRunner.Timing t = runner.time(c, 1);
        System.out.printf("%s 4096x28672x8192: %.3f ms, %.1f TFLOP/s%n", c.kernelName(), t.stats().medianMs(), t.tflops());
        // The H100 run measured 324 TFLOP/s; far below would mean the launch or the timing is wrong.
        assertThat(t.tflops()).isBetween(50.0, 989.4);
    }
}
