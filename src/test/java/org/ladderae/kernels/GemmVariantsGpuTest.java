package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.GpuTestSupport;
import org.ladderae.kernels.GemmConfig.Format;
import org.ladderae.kernels.GemmConfig.Variant;

/**
 * The layer executor's GEMM variants (ladder_gemm.cu's INT_OUT and W_CENTRED) against the double-precision CPU
 * reference on fresh random data, outputs NaN-poisoned: INT32 sums of every integer-activation pair compared exactly
 * (tolerance 0), and the centred codes (code - 2^(bits-1)) of unsigned weights with FP16 activations against the
 * reference of the centred codes, on LinearChoice's tiles, with split-K, at partial tiles and a long K; the INT4
 * TMA kernel's centred decode on sm_90a. Runs on the GPU machine only.
 */
@Tag("gpu")
class GemmVariantsGpuTest {
    private static CudaContext context;
    private static GemmRunner runner;
    private static TargetArch arch;

    static Stream<Arguments> configs() {
        List<Arguments> out = new ArrayList<>();
        for (Format[] f : new Format[][] {{Format.INT8, Format.INT8}, {Format.INT4, Format.INT8}, {Format.INT2, Format.INT8}, {Format.INT1, Format.INT8},
                {Format.INT4, Format.INT4}, {Format.INT2, Format.INT4}, {Format.INT1, Format.INT4}}) {
            out.add(Arguments.of(GemmConfig.mma(f[0], f[1], 1025, 256, 1024, 128, 128, 2, 2, 3, 1).withVariant(Variant.INT32_OUT)));
            out.add(Arguments.of(GemmConfig.mma(f[0], f[1], 33, 256, 1024, 32, 128, 1, 4, 4, 1).withVariant(Variant.INT32_OUT)));
            out.add(Arguments.of(GemmConfig.mma(f[0], f[1], 33, 256, 2048, 32, 128, 1, 4, 4, 2).withVariant(Variant.INT32_OUT)));
        }
        // long K: sums far past FP16's 65504 stay exact
        out.add(Arguments.of(GemmConfig.mma(Format.INT8, Format.INT8, 257, 256, 8192, 128, 128, 2, 2, 3, 1).withVariant(Variant.INT32_OUT)));
        out.add(Arguments.of(GemmConfig.mma(Format.INT4, Format.INT4, 257, 256, 8192, 128, 128, 2, 2, 3, 1).withVariant(Variant.INT32_OUT)));
        for (Format w : new Format[] {Format.INT8, Format.INT4, Format.INT2, Format.INT1}) {
            out.add(Arguments.of(GemmConfig.mma(w, Format.FP16, 1025, 256, 1024, 128, 128, 2, 2, 5, 1).withVariant(Variant.CENTRED_CODES)));
            out.add(Arguments.of(GemmConfig.mma(w, Format.FP16, 33, 256, 2048, 32, 128, 1, 4, 6, 4).withVariant(Variant.CENTRED_CODES)));
        }
        out.add(Arguments.of(GemmConfig.wgmmaTma(Format.INT4, 300, 256 * 3, 4096).withVariant(Variant.CENTRED_CODES)));
        out.add(Arguments.of(GemmConfig.wgmmaTma(Format.INT4, 1025, 256, 1024).withVariant(Variant.CENTRED_CODES)));
        return out.stream();
    }

    @BeforeAll
    static void buildAllInParallel() {
        context = GpuTestSupport.context();
        arch = TargetArch.forComputeCapability(context.device().ccMajor(), context.device().ccMinor());
        runner = new GemmRunner(context, KernelCache.defaultCache());
        runner.buildAll(configs().map(a -> (GemmConfig) a.get()[0]).filter(GemmVariantsGpuTest::runsHere).toList());
    }

    private static boolean runsHere(GemmConfig c) { return c.path() != GemmConfig.Path.WGMMA_TMA || arch.hasWgmma(); }

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
}
