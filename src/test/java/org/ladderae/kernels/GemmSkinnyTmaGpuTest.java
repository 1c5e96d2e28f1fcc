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
import org.ladderae.gpu.DeviceBuffer;
import org.ladderae.gpu.HalfPrecision;
import org.ladderae.gpu.GpuTestSupport;
import org.ladderae.kernels.GemmConfig.Format;

/**
 * The skinny-M TMA wgmma kernel (ladder_gemm_wgmma_ws.cu with WS_SKINNY; {@link GemmKernels#forShape} takes it for
 * 17 &lt;= M &lt;= 64 on sm_90a) for its five pairs at M = 17, 32, 33 and 64 against the double-precision CPU reference
 * on fresh random data with NaN-poisoned outputs: forShape's configuration, an uneven split-K (3) and a 512-row
 * weight tile split 8 ways over two 32-row activation tiles, each checked twice; and one prepared launch run three
 * times on one workspace (the kernel must leave it zeroed), plus Figure 12 M4 timed through the runner. GemmGpuTest
 * runs the same cases ({@link #skinnyConfigs}). sm_90a only.
 */
@Tag("gpu")
class GemmSkinnyTmaGpuTest {
    private static CudaContext context;
    private static GemmRunner runner;
    private static TargetArch arch;

    static final Format[][] PAIRS = {{Format.INT4, Format.FP16}, {Format.NF4, Format.FP16}, {Format.FP8_E5M2, Format.FP16},
            {Format.INT1, Format.FP16}, {Format.INT1, Format.INT8}};

    static List<GemmConfig> skinnyConfigs() {
        TargetArch h100 = TargetArch.forComputeCapability(9, 0);
        List<GemmConfig> out = new ArrayList<>();
        for (Format[] f : PAIRS) {
            for (int m : new int[] {17, 32, 33, 64}) {
                GemmConfig chosen = GemmKernels.forShape(f[0], f[1], m, 8192, 2048, h100);
                assertThat(chosen.tmaSkinny()).as("forShape W_%sA_%s M=%d", f[0], f[1], m).isTrue();
                out.add(chosen.withShape(m, 512, 2048));
                out.add(GemmConfig.wgmmaTmaSkinny(f[0], f[1], m, 512, 2048, m <= 32 ? 32 : 64, 256, 3));
            }
            out.add(GemmConfig.wgmmaTmaSkinny(f[0], f[1], 64, 1024, 2048, 32, 512, 8));
        }
        return out;
    }

    static Stream<Arguments> configs() { return skinnyConfigs().stream().map(Arguments::of); }

    @BeforeAll
    static void build() {
        context = GpuTestSupport.context();
        arch = TargetArch.forComputeCapability(context.device().ccMajor(), context.device().ccMinor());
        runner = new GemmRunner(context, KernelCache.defaultCache());
        if (hopper()) runner.buildAll(skinnyConfigs());
    }

    private static boolean hopper() { return arch.hasWgmma(); }

    @AfterAll
    static void close() {
        if (runner != null) runner.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void matchesTheDoublePrecisionReferenceTwice(GemmConfig config) {
        org.junit.jupiter.api.Assumptions.assumeTrue(hopper(), "wgmma needs sm_90a");
        for (int run = 0; run < 2; run++) {
            GemmChecks.assertMatchesReference(runner, config);
        }
    }

    @Test
    void aPreparedLaunchLeavesItsWorkspaceZeroedForTheNextCall() {
        org.junit.jupiter.api.Assumptions.assumeTrue(hopper(), "wgmma needs sm_90a");
        // one prepared launch (one workspace) run three times: each run adds into the workspace the previous one left,
        // so the 2nd and 3rd results are only right if the last CTA of every tile re-zeroed it
        GemmConfig c = GemmConfig.wgmmaTmaSkinny(Format.INT4, Format.FP16, 33, 512, 2048, 32, 256, 3);
        GemmProblem p = GemmProblem.random(c.weight(), c.activation(), c.m(), c.n(), c.k(), 99);
        byte[] a = p.deviceActivations(), w = p.deviceWeights(c);
        short[] out = new short[c.m() * c.n()];
        try (DeviceBuffer dA = context.allocate(a.length); DeviceBuffer dW = context.allocate(w.length);
             DeviceBuffer dC = context.allocate(2L * out.length); DeviceBuffer dWs = context.allocate(16)) {
            dA.copyFrom(a);
            dW.copyFrom(w);
            Runnable launch = runner.prepare(c, dA, dW, dC, dWs);
            for (int run = 0; run < 3; run++) {
                dC.fill16(HalfPrecision.POISON);
                launch.run();
                context.synchronize();
                dC.copyTo(out);
                GemvReference.Fp16Comparison cmp = GemvReference.compare(out, p.reference());
                System.out.printf("prepared %s run %d: error %.2e%n", c.kernelName(), run, cmp.relativeError());
                assertThat(cmp.allFinite()).as("run %d: every output written and finite", run).isTrue();
                assertThat(cmp.relativeError()).as("run %d", run).isLessThanOrEqualTo(GemmRunner.FP16_TOLERANCE);
            }
        }
    }

    @Test
    void timesFigure12M4ThroughTheRunner() {
        org.junit.jupiter.api.Assumptions.assumeTrue(hopper(), "wgmma needs sm_90a");
        GemmConfig m4 = GemmKernels.forShape(Format.INT4, Format.FP16, 32, 8192, 28672, arch);
        assertThat(m4.tmaSkinny()).isTrue();
        GemmRunner.Timing t = runner.time(m4, 7);
        double gbs = m4.weightBytes() / (t.stats().medianMs() * 1e-3) / 1e9;
        System.out.printf("%s sk%d 32x8192x28672: %.4f ms, %.0f GB/s over the weights, %.1f TFLOP/s%n", m4.kernelName(), m4.splitK(),
                t.stats().medianMs(), gbs, t.tflops());
        assertThat(t.stats().medianMs()).isPositive();
        // the timed binary itself, checked at a small shape
        assertThat(runner.check(m4.withShape(32, 512, 2048), 11).passed()).isTrue();
    }
}
