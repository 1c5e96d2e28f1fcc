package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

/**
 * Every conv kernel (each candidate tile of W_FP16A_FP16 - mma.sync and, on sm_90a, both wgmma paths - and
 * of W_FP8A_FP16 (also at C = 3, 58, 116: FP16 gathers), W_MXFP8A_MXFP8, W_INT4A_INT4, W_INT1A_INT4) against the double-precision CPU reference on fresh random
 * data with NaN-poisoned outputs, at the check shapes (odd sizes, C % 64 != 0, K not a multiple of the tile,
 * padding, stride 2, 7x7 stems with C = 3, the fused bias + residual + ReLU epilogue) and at the batch-1
 * Figure 12 layers; the executor's entry points ({@link ConvLayer}) on channel slices and, for quantised activations,
 * with the dequantising scales and the fused epilogue; the conv tuner.
 */
@Tag("gpu")
class ConvGpuTest {
    private static CudaContext context;
    private static ConvRunner runner;

    static Stream<Arguments> configs() {
        Map<String, ConvConfig> distinct = new LinkedHashMap<>();
        // this GPU's arch (no wgmma tiles below sm_90a); the project's H100 when there is none (the tests then skip)
        TargetArch arch = org.ladderae.gpu.CudaDriver.availability().available()
                ? TargetArch.forComputeCapability(CudaContext.forDevice(0).device().ccMajor(), CudaContext.forDevice(0).device().ccMinor())
                : TargetArch.parse("sm_90a");
        for (ConvFormat f : formats())
            for (String layer : List.of("C4", "C6"))   // K = 64 and K = 128 layers: every candidate tile
                for (ConvConfig c : ConvKernels.candidates(f, ConvShape.FIGURE12.get(layer), arch)) distinct.putIfAbsent(c.label() + layer, c);
        for (String layer : List.of("C0", "C1", "C2", "C3"))   // the halo conv's candidates (batch 128; compiled per filter and row width)
            for (ConvConfig c : ConvKernels.candidates(ConvFormat.W_FP16A_FP16, ConvShape.FIGURE12.get(layer), arch))
                if (c.mma().halo()) distinct.putIfAbsent(c.label(), c);
        for (String dims : List.of("1,3,224,224,24,3,3,2,1", "1,58,28,28,58,1,1,1,0", "1,116,14,14,116,1,1,1,0"))   // gathers of 1, 2, 4 channels
            for (ConvFormat f : formats().stream().filter(f -> f.actBits() == 16).toList())   // FP8 weights beside FP16 activations: any C
                for (ConvConfig c : ConvKernels.candidates(f, ConvShape.parse(dims), arch)) distinct.putIfAbsent(c.label(), c);
        List<Arguments> out = new ArrayList<>();
        for (ConvConfig c : distinct.values()) out.add(Arguments.of(c));
        return out.stream();
    }

    /** Every format, or those named (comma-separated labels) by LADDER_AE_CONV_TEST_FORMATS, for a device run short on time. */
    static List<ConvFormat> formats() {
        String only = System.getenv("LADDER_AE_CONV_TEST_FORMATS");
        if (only == null || only.isBlank()) return List.of(ConvFormat.values());
        return java.util.Arrays.stream(only.split(",")).map(String::trim).map(ConvFormat::valueOf).toList();
    }

    @BeforeAll
    static void buildAllInParallel() {
        context = GpuTestSupport.context();
        runner = new ConvRunner(context, KernelCache.defaultCache());
        runner.buildAll(configs().map(a -> (ConvConfig) a.get()[0]).toList());
    }

    @AfterAll
    static void close() {
        if (runner != null) runner.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void matchesTheDoublePrecisionReference(ConvConfig config) {
        ConvChecks.assertCheckShapesMatch(runner, config);
    }

    /**
     * ShuffleNet's split and concat: read channels [C, 2C) of a 2C-wide input, write channels [K, 2K) of a 2K-wide output;
     * with the heuristic's kernel, and split over K (the reduce kernel applies the epilogue on the slice).
     */
    @Test
    void layerReadsAndWritesChannelSlicesWithTheFusedEpilogue() {
        for (String dims : List.of("2,58,9,7,58,1,1,1,0", "1,24,15,13,58,1,1,1,0", "2,116,7,9,116,3,3,2,1", "1,116,7,9,116,3,3,2,1/3", "1,232,5,7,116,3,3,1,1/4")) {
            int splits = dims.contains("/") ? Integer.parseInt(dims.substring(dims.indexOf('/') + 1)) : 1;
            dims = dims.contains("/") ? dims.substring(0, dims.indexOf('/')) : dims;
            ConvShape s = ConvShape.parse(dims);
            ConvLayer layer = runner.layer(ConvKernels.gatherFor(ConvKernels.heuristic(s, runner.arch()), 2 * s.c(), s.c()).withSplitK(splits));
            assertThat(layer.config().splitK()).isEqualTo(splits);
            ConvChecks.assertSlicesMatch(context, layer, 7);
        }
    }

    /**
     * The CNN executor's entry point for quantised activations ({@link ConvLayer#launchQuantized}): MXFP8 with its
     * exponents, and the integer formats with an FP32 activation scale and per-channel weight scales multiplied into the
     * INT32 sums, then the fused bias + residual + ReLU; odd pixel counts, two channel tiles. Reference in double.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(value = ConvFormat.class, names = {"W_MXFP8A_MXFP8", "W_INT4A_INT4", "W_INT1A_INT4"})
    void quantisedLayerAppliesScalesAndTheFusedEpilogue(ConvFormat f) {
        if (!formats().contains(f)) return;
        for (String dims : List.of("3,128,13,11,128,3,3,1,1", "2,64,15,14,256,1,1,2,0")) {
            ConvShape s = ConvShape.parse(dims);
            ConvProblem p = ConvProblem.random(f, s, 41);
            ConvLayer layer = runner.layer(ConvKernels.candidates(f, s, runner.arch()).get(0));
            int outElems = Math.toIntExact(s.outputElements());
            int[] bias = ConvProblem.randomFp16(s.k(), 42), res = ConvProblem.randomFp16(outElems, 43);
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(44);
            float aScale = (float) rnd.nextDouble(0.01, 0.1);
            float[] wScale = new float[s.k()];
            for (int k = 0; k < wScale.length; k++) wScale[k] = (float) rnd.nextDouble(0.01, 0.1);
            double[] ref = p.reference();
            for (int i = 0; i < ref.length; i++) {
                double v = f.integer() ? ref[i] * aScale * wScale[i % s.k()] : ref[i];
                v += org.ladderae.formats.Fp16.INSTANCE.decode(bias[i % s.k()]) + org.ladderae.formats.Fp16.INSTANCE.decode(res[i]);
                ref[i] = Math.max(v, 0);
            }
            short[] out = new short[outElems];
            byte[] xs = f.integer() ? null : p.deviceInputScales(), ws = f.integer() ? null : p.deviceWeightScales();
            try (var dX = context.allocate(p.deviceInput().length); var dW = context.allocate(layer.weightBytes());
                 var dXs = context.allocate(f.integer() ? 4 : xs.length); var dWs = context.allocate(f.integer() ? 4L * s.k() : ws.length);
                 var dB = context.allocate(2L * s.k()); var dR = context.allocate(2L * outElems); var dY = context.allocate(2L * outElems)) {
                dX.copyFrom(p.deviceInput());
                dW.copyFrom(p.deviceWeights());
                if (f.integer()) {
                    dXs.copyFrom(new float[] {aScale});
                    dWs.copyFrom(wScale);
                } else {
                    dXs.copyFrom(xs);
                    dWs.copyFrom(ws);
                }
                dB.copyFrom(org.ladderae.formats.BitPacking.pack(bias, 16));
                dR.copyFrom(org.ladderae.formats.BitPacking.pack(res, 16));
                dY.fill16(org.ladderae.gpu.HalfPrecision.POISON);
                layer.launchQuantized(dX, dXs, dW, dWs, dB, dR, true, dY);
                context.synchronize();
                dY.copyTo(out);
            }
            GemvReference.Fp16Comparison cmp = GemvReference.compare(out, ref);
            System.out.printf("%-72s %-26s quantised layer (scales, bias, residual, ReLU) error %.2e%n", layer.config().label(), dims, cmp.relativeError());
            assertThat(cmp.allFinite()).isTrue();
            assertThat(cmp.relativeError()).isLessThanOrEqualTo(ConvRunner.FP16_TOLERANCE);
        }
    }

    @Test
    void tunesTheConvsOfAModelAndReportsEachPhase() {
        List<ConvShape> shapes = List.of(ConvShape.parse("1,3,224,224,24,3,3,2,1"), ConvShape.parse("1,58,28,28,58,1,1,1,0"), ConvShape.FIGURE12.get("C4"));
        var t = new org.ladderae.tuning.ConvTuningProblem("test", shapes, ConvFormat.W_FP16A_FP16, runner, KernelCache.defaultCache(), 3).tune(null);
        System.out.println(t.describe());
        assertThat(t.shapes()).hasSize(3).allSatisfy(r -> assertThat(r.tuned()).as(r.shape().dims() + " " + r.failure()).isTrue());
        assertThat(t.shapes()).allSatisfy(r -> assertThat(r.bestMs()).isPositive().isLessThanOrEqualTo(r.heuristicMs() * 1.05));
        assertThat(t.phases().millis()).containsOnlyKeys("codegen", "compile", "measure", "check");
        assertThat(t.phases().measure().toNanos()).isPositive();
        assertThat(t.phases().check().toNanos()).isPositive();
    }

    @Test
    void timesTheFp16KernelAtC0() {
        ConvRunner.Tuned t = runner.tune(ConvFormat.W_FP16A_FP16, ConvShape.FIGURE12.get("C0"), 1);
        ConvRunner.Candidate best = t.best().orElseThrow(() -> new AssertionError("no candidate passed: " + t.firstFailure()));
        for (ConvRunner.Candidate c : t.candidates())
            System.out.printf("%-72s %s%n", c.config().kernelName(), c.timing() == null ? "FAILED" : String.format("%.4f ms %.1f TFLOP/s",
                    c.timing().stats().medianMs(), c.timing().tflops()));
        // 2.96e10 FLOP: far outside this range would mean the launch or the timing is wrong (the H100's dense FP16 peak is 989 TFLOP/s).
        assertThat(best.timing().tflops()).isBetween(20.0, 989.4);
    }
}
