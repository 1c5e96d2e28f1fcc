package org.ladderae.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.formats.ActivationQuantizer;
import org.ladderae.formats.Fp16;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.SeededWeights;

/**
 * The per-linear check of {@link IntegerLinearGpuTest} on captures made on the CPU the way the executor's kernels make
 * them (the quantiser's codes packed as llm_ops.cu writes them, the exact INT32 sums of the stacked codes, the
 * dequantising epilogue's (G - zero x code sum) x weight scale x row scale + bias, GeLU, FP16 store): they pass at
 * FP16 rounding, and a capture with a wrong scale, a shifted zero point or a bad code sum fails.
 */
class IntegerLinearCheckTest {
    private static final long SEED = 13;

    @ParameterizedTest(name = "{0} BS{1} SEQ{2} W_{3}A_{4}")
    @CsvSource({"llama, 32, 1, INT4, INT4", "bloom, 1, 64, INT2, INT4", "bloom, 3, 17, INT1, INT4", "llama, 2, 1, INT8, INT8", "bloom, 32, 1, INT4, INT8"})
    void capturesOfTheKernelsArithmeticPassAndWrongOnesFail(String model, int batch, int seq, WeightFormat w, ActivationFormat a) {
        ModelGraph g = LayerBench.graph(model, false, batch, seq, w, a);
        LayerPlan plan = LayerPlan.lower(g);
        Map<String, DenseTensor> master = SeededWeights.masterWeights(g, SEED);
        for (LayerPlan.Linear l : plan.linears()) {
            LayerExecutor.IntegerLinearIo io = capture(plan, l, master, 1.0, 0);
            double err = IntegerLinearGpuTest.error(g, SEED, io);
            assertThat(err).as(l.name()).isLessThan(IntegerLinearGpuTest.TOLERANCE / 2).isGreaterThan(0);
            assertThat(IntegerLinearGpuTest.error(g, SEED, capture(plan, l, master, 1.02, 0))).as(l.name() + " scale x1.02").isGreaterThan(IntegerLinearGpuTest.TOLERANCE);
            assertThat(IntegerLinearGpuTest.error(g, SEED, capture(plan, l, master, 1.0, 1))).as(l.name() + " zero + 1").isGreaterThan(IntegerLinearGpuTest.TOLERANCE);
            LayerExecutor.IntegerLinearIo badScale = capture(plan, l, master, 1.0, 0);
            badScale.actScales()[0] = Math.nextUp(badScale.actScales()[0]);   // one FP32 ulp off the quantiser's amax / qmax
            assertThatThrownBy(() -> IntegerLinearGpuTest.error(g, SEED, badScale)).hasMessageContaining("quantiser");
            LayerExecutor.IntegerLinearIo swapped = capture(plan, l, master, 1.0, 0);
            if (swapped.layout() == ActivationLayout.INT4) {   // nibbles of one byte exchanged: element 1 before element 0
                int b = swapped.codes()[0] & 0xff;
                swapped.codes()[0] = (byte) ((b >> 4) | (b << 4));
                if ((b >> 4) != (b & 15)) assertThatThrownBy(() -> IntegerLinearGpuTest.error(g, SEED, swapped)).isInstanceOf(AssertionError.class);
            }
            io.codeSums()[io.rows() - 1]++;
            assertThatThrownBy(() -> IntegerLinearGpuTest.error(g, SEED, io)).hasMessageContaining("code sum");
        }
    }

    /**
     * A capture of {@code l} as the GPU makes it from random FP16 activations, with the weight scale multiplied by
     * {@code scaleFactor} and {@code zeroShift} added to the zero point in the epilogue (1 and 0: the right arithmetic).
     */
    private static LayerExecutor.IntegerLinearIo capture(LayerPlan plan, LayerPlan.Linear l, Map<String, DenseTensor> master, double scaleFactor, int zeroShift) {
        int rows = plan.rows(l), k = l.k(), n = l.nTotal();
        ActivationLayout layout = plan.buffers().get(l.input().buffer()).layout();
        int qmax = layout == ActivationLayout.INT4 ? 7 : 127;
        StackedWeights sw = StackedWeights.of(l, master);
        SplittableRandom rnd = new SplittableRandom(l.name().hashCode());
        double[] x = new double[rows * k];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextGaussian();
        byte[] codes = new byte[(int) layout.bytes(rows, k)];
        float[] scales = new float[rows];
        int[] sums = new int[rows];
        short[] out = new short[rows * n];
        DoubleUnaryOperator act = l.gelu() ? IntegerLinearGpuTest::gelu : v -> v;
        for (int r = 0; r < rows; r++) {
            ActivationQuantizer.IntRow q = ActivationQuantizer.quantizeInt(x, r * k, k, qmax);
            scales[r] = q.scale();
            sums[r] = (int) q.codeSum();
            for (int e = 0; e < k; e++) {
                int c = q.codes()[e], i = r * k + e;
                if (layout == ActivationLayout.INT8) codes[i] = (byte) c;
                else codes[i >> 1] |= (byte) ((c & 15) << (4 * (i & 1)));   // quantize_row: element 0 in the low nibble
            }
            for (int j = 0; j < n; j++) {
                long g = 0;
                for (int e = 0; e < k; e++) g += (long) q.codes()[e] * sw.codes()[j * k + e];
                double zero = Fp16.INSTANCE.decode(sw.rowZeros()[j] & 0xffff) + zeroShift, scale = Fp16.INSTANCE.decode(sw.rowScales()[j] & 0xffff);
                float v = (float) ((g - zero * q.codeSum()) * scale * scaleFactor * q.scale());
                if (sw.bias() != null) v += (float) Fp16.round(sw.bias()[j]);
                out[r * n + j] = (short) Fp16.INSTANCE.encode(act.applyAsDouble(v));
            }
        }
        short[] x16 = new short[x.length];
        for (int i = 0; i < x.length; i++) x16[i] = (short) Fp16.INSTANCE.encode(x[i]);
        return new LayerExecutor.IntegerLinearIo(l, layout, rows, codes, scales, sums, out, x16);
    }
}
