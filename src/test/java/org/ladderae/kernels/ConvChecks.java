package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.ladderae.formats.BitPacking;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.HalfPrecision;

/** The conv GPU tests' checks against the double-precision CPU reference. */
final class ConvChecks {
    private ConvChecks() {}

    /**
     * The FP16 candidates of {@code shapes} on the project's GPU ({@link ConvKernels#candidates}) that {@code kind} keeps,
     * one per label (a persistent kernel's candidates at several shapes share a cubin), as test arguments.
     */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> distinctCandidates(java.util.List<ConvShape> shapes,
                                                                                                   java.util.function.Predicate<ConvMma> kind) {
        java.util.Map<String, ConvConfig> distinct = new java.util.LinkedHashMap<>();
        for (ConvShape s : shapes)
            for (ConvConfig c : ConvKernels.candidates(ConvFormat.W_FP16A_FP16, s)) if (kind.test(c.mma())) distinct.putIfAbsent(c.label(), c);
        return distinct.values().stream().map(org.junit.jupiter.params.provider.Arguments::of);
    }

    /** {@code config} at each of {@link ConvRunner#checkShapes} (fresh data, outputs poisoned): every output written, within tolerance. */
    static void assertCheckShapesMatch(ConvRunner runner, ConvConfig config) {
        for (ConvConfig at : ConvRunner.checkShapes(config)) {
            ConvRunner.Check c = runner.check(at, System.nanoTime(), ConvRunner.checksEpilogue(config, at));
            System.out.printf("%-72s %-26s error %.2e (tolerance %.0e)%s%n", at.label(), at.shape().dims(), c.error(), c.tolerance(),
                    c.allWritten() ? "" : " UNWRITTEN OUTPUTS");
            assertThat(c.allWritten()).as("every output written at " + at.shape().dims()).isTrue();
            assertThat(c.error()).as("error vs reference at " + at.shape().dims()).isLessThanOrEqualTo(c.tolerance());
        }
    }

    /**
     * ShuffleNet's split and concat through a conv layer: the layer reads input channels [C, 2C) of a 2C-wide tensor and
     * the residual's channels [K, 2K) of a 2K-wide one, writes output channels [K, 2K) of a 2K-wide tensor with the fused
     * bias + residual + ReLU epilogue, and must leave channels [0, K) of the output (NaN-poisoned) untouched. Fresh random
     * data from {@code seed}; the slice is compared with the CPU reference.
     */
    static void assertSlicesMatch(CudaContext context, ConvLayer layer, long seed) {
        ConvShape s = layer.config().shape();
        ConvProblem p = ConvProblem.random(ConvFormat.W_FP16A_FP16, s, seed);
        int pixelsIn = Math.toIntExact(s.inputElements() / s.c()), pixelsOut = Math.toIntExact(s.outputElements() / s.k());
        int[] wide = ConvProblem.randomFp16(2 * pixelsIn * s.c(), seed + 1);
        for (int i = 0; i < pixelsIn; i++) System.arraycopy(p.x(), i * s.c(), wide, i * 2 * s.c() + s.c(), s.c());
        int[] bias = ConvProblem.randomFp16(s.k(), seed + 2), resWide = ConvProblem.randomFp16(2 * pixelsOut * s.k(), seed + 3);
        int[] res = new int[pixelsOut * s.k()];
        for (int i = 0; i < pixelsOut; i++) System.arraycopy(resWide, i * 2 * s.k() + s.k(), res, i * s.k(), s.k());
        short[] out = new short[2 * pixelsOut * s.k()];
        try (var dX = context.allocate(2L * wide.length); var dW = context.allocate(layer.weightBytes()); var dB = context.allocate(2L * s.k());
             var dR = context.allocate(2L * resWide.length); var dY = context.allocate(2L * out.length)) {
            dX.copyFrom(BitPacking.pack(wide, 16));
            dW.copyFrom(p.deviceWeights());
            dB.copyFrom(BitPacking.pack(bias, 16));
            dR.copyFrom(BitPacking.pack(resWide, 16));
            dY.fill16(HalfPrecision.POISON);
            layer.launch(dX, s.c(), 2 * s.c(), dW, dB, dR, true, dY, s.k(), 2 * s.k());
            context.synchronize();
            dY.copyTo(out);
        }
        short[] slice = new short[pixelsOut * s.k()];
        for (int i = 0; i < pixelsOut; i++) {
            System.arraycopy(out, i * 2 * s.k() + s.k(), slice, i * s.k(), s.k());
            for (int k = 0; k < s.k(); k++) assertThat(out[i * 2 * s.k() + k]).as("the other channel slice is untouched").isEqualTo(HalfPrecision.POISON);
        }
        GemvReference.Fp16Comparison cmp = GemvReference.compare(slice, p.reference(bias, res, true));
        System.out.printf("%-72s %-26s slice error %.2e%n", layer.config().label(), s.dims(), cmp.relativeError());
        assertThat(cmp.allFinite()).isTrue();
        assertThat(cmp.relativeError()).isLessThanOrEqualTo(ConvRunner.FP16_TOLERANCE);
    }
}
