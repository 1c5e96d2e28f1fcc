package org.ladderae.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.GpuTestSupport;
import org.ladderae.kernels.GemmRunner;
import org.ladderae.kernels.GemvRunner;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.EncoderModels;
import org.ladderae.models.ModelGraph;

/**
 * The encoder models on the GPU against the double-precision reference on the same decoded weights (activations
 * NaN-poisoned before each run): the ViT check model at batch 1, 2 and 17 (head on the GEMV and on a partial GEMM tile)
 * and the Conformer check model at 130 frames (flash attention, partial tiles of the attention, depthwise conv and GEMM)
 * and 40 frames (the short attention kernel), in FP16, FP8 (E5M2) and INT4 (whole-row scales) weights; then the runner's
 * path at full size (check, time, memory) for both models at batch 1 and 128 in FP16.
 */
@Tag("gpu")
class EncoderExecutorGpuTest {
    private static CudaContext context;
    private static KernelCache cache;
    private static GemvRunner gemv;
    private static GemmRunner gemm;

    @BeforeAll
    static void open() {
        context = GpuTestSupport.context();
        cache = KernelCache.defaultCache();
        gemv = new GemvRunner(context, cache);
        gemm = new GemmRunner(context, cache);
    }

    @AfterAll
    static void close() {
        if (gemv != null) gemv.close();
        if (gemm != null) gemm.close();
    }

    /**
     * Compiles the kernels a test loads in parallel before it runs (the executor would build them one by one on first
     * use); per test, so that each stays within its own timeout.
     */
    static void prebuild(KernelCache cache, CudaContext ctx, ModelGraph full, ModelGraph check) {
        if (cache.nvcc().isEmpty()) return;
        long t0 = System.nanoTime();
        int n = EncoderBench.buildKernels(cache, org.ladderae.kernels.TargetArch.forComputeCapability(ctx.device().ccMajor(), ctx.device().ccMinor()), full, check);
        System.out.printf(Locale.ROOT, "%s: %d kernels built or found in %.1f s%n", full.name(), n, (System.nanoTime() - t0) / 1e9);
    }

    static Stream<Arguments> checkModels() {
        List<Arguments> out = new ArrayList<>();
        for (WeightFormat w : List.of(WeightFormat.FP16, WeightFormat.FP8_E5M2, WeightFormat.INT4)) {
            for (int b : new int[] {1, 2, 17}) out.add(Arguments.of("vit", b, 0, w));
            out.add(Arguments.of("conformer", 1, 130, w));
            out.add(Arguments.of("conformer", 2, 40, w));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} BS{1} frames {2} W_{3}")
    @MethodSource("checkModels")
    void checkModelMatchesTheReference(String model, int batch, int frames, WeightFormat w) {
        ModelGraph g = (model.equals("vit") ? EncoderBench.graph("vit", false, batch, WeightFormat.FP16, ActivationFormat.FP16)
                : EncoderModels.conformer(EncoderModels.CONFORMER_CHECK, batch, frames)).withLinearFormat(w, -1);
        prebuild(cache, context, g, null);
        LayerBench.Check c = LayerBench.check(context, cache, gemv, gemm, g, GemvStage.HOLISTIC, Map.of(), 17);
        System.out.println(c.describe());
        assertThat(c.passed()).as(c.describe()).isTrue();
    }

    /** The conv module's GLU + depthwise conv + BatchNorm + SiLU (one fused kernel) where C and T leave partial 64 x 64 tiles. */
    static ModelGraph convModule(int batch, int frames, int channels, int kernel) {
        var b = ModelGraph.builder("conv_module_c" + channels + "_k" + kernel).input(org.ladderae.models.Tensor.of("x", org.ladderae.models.DType.FP16, batch, frames, 2 * channels))
                .weight(org.ladderae.models.Tensor.of("dw.weight", org.ladderae.models.DType.FP16, channels, kernel))
                .weight(org.ladderae.models.Tensor.of("dw.bias", org.ladderae.models.DType.FP16, channels));
        for (String s : new String[] {"weight", "bias", "mean", "var"}) b.weight(org.ladderae.models.Tensor.of("bn." + s, org.ladderae.models.DType.FP16, channels));
        return b.op(new org.ladderae.models.Op.Glu("glu", "x", "g"))
                .op(new org.ladderae.models.Op.DepthwiseConv1d("dw", "g", "dw.weight", "dw.bias", "c", channels, kernel))
                .op(new org.ladderae.models.Op.BatchNorm("bn", "c", "bn.weight", "bn.bias", "bn.mean", "bn.var", "n", 1e-5))
                .op(new org.ladderae.models.Op.Silu("act", "n", "y")).output("y").build();
    }

    static Stream<Arguments> convShapes() {
        return Stream.of(Arguments.of(2, 70, 96, 31), Arguments.of(3, 5, 130, 3), Arguments.of(1, 129, 64, 63));
    }

    @ParameterizedTest(name = "B{0} T{1} C{2} K{3}")
    @MethodSource("convShapes")
    void fusedConvModuleMatchesTheReference(int batch, int frames, int channels, int kernel) {
        ModelGraph g = convModule(batch, frames, channels, kernel);
        LayerBench.Check c = LayerBench.check(context, cache, gemv, gemm, g, GemvStage.HOLISTIC, Map.of(), 29);
        System.out.println(c.describe());
        assertThat(c.passed()).as(c.describe()).isTrue();
    }

    static Stream<Arguments> fullModels() {
        return Stream.of(Arguments.of("vit", 1), Arguments.of("vit", 128), Arguments.of("conformer", 1), Arguments.of("conformer", 128));
    }

    @ParameterizedTest(name = "{0} BS{1} FP16")
    @MethodSource("fullModels")
    void fullModelIsCheckedThenTimed(String model, int batch) {
        prebuild(cache, context, EncoderBench.graph(model, true, batch, WeightFormat.FP16, ActivationFormat.FP16),
                EncoderBench.graph(model, false, batch, WeightFormat.FP16, ActivationFormat.FP16));
        LayerBench.Result r = EncoderBench.measure(context, cache, gemv, gemm, model, batch, WeightFormat.FP16, ActivationFormat.FP16, 7);
        System.out.println(r.check().describe());
        assertThat(r.ok()).as(r.check().describe()).isTrue();
        double flops = EncoderBench.graph(model, true, batch, WeightFormat.FP16, ActivationFormat.FP16).flops();
        System.out.printf(Locale.ROOT, "%s BS%d FP16: %.4f ms median (cv %.3f), %.1f TFLOP/s, peak %.0f MiB, own %.0f MiB, weights %.1f MiB, %d launches%n",
                model, batch, r.timing().medianMs(), r.timing().cv(), flops / r.timing().medianMs() / 1e9, r.memory().peakMib(), r.memory().ownMib(),
                r.weightBytes() / 1048576.0, r.launches().size());
    }
}
