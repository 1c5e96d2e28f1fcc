package org.ladderae.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.formats.ActivationQuantizer;
import org.ladderae.formats.Fp16;
import org.ladderae.kernels.GemmConfig;
import org.ladderae.kernels.GemmWeightLayout;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.TargetArch;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.SeededWeights;

/**
 * The INT4-activation GEMM path of the layer executor (M > 16: ladder_gemm.cu LADDER_FMT 14/15/16, INT32_OUT, then
 * llm_ops.cu's dequant_epilogue_i32), emulated on the CPU from the exact bytes the executor uploads: the weights of
 * {@link StackedWeights#gemmWeights(int, ActivationFormat, GemmConfig)} for the kernel {@link LinearChoice} picks, and
 * the activations packed as llm_ops.cu's quantize_row writes them (fmt 2). Each lane's registers are formed with the
 * kernel's own operations (the nibble unpack of A, the weight decode of its format, the m16n8k32 fragment k indices,
 * the >> 4 of the 16x sums); the shared-memory swizzle is left out (a bijection that the stores and the reads apply
 * alike). The INT32 sums must equal the exact integer dot products of the codes, and the dequantised outputs the
 * double-precision linear on the reference executor's decoded weights and the quantiser's fake-quantised activations.
 */
class Int4ActivationGemmEmulationTest {
    private static final TargetArch H100 = TargetArch.forComputeCapability(9, 0);

    static Stream<Arguments> layers() {
        return Stream.of(WeightFormat.INT4, WeightFormat.INT2, WeightFormat.INT1).flatMap(w ->
                Stream.of(Arguments.of("llama", 32, 1, w), Arguments.of("bloom", 1, 64, w), Arguments.of("llama", 1, 128, w)));
    }

    @ParameterizedTest(name = "{0} BS{1} SEQ{2} W_{3}A_INT4")
    @MethodSource("layers")
    void everyLinearOfTheLayerMatchesTheExactSumsAndTheReference(String model, int batch, int seq, WeightFormat w) {
        ModelGraph g = LayerBench.graph(model, false, batch, seq, w, ActivationFormat.INT4);
        LayerPlan plan = LayerPlan.lower(g);
        long seed = 13;
        Map<String, DenseTensor> master = SeededWeights.masterWeights(g, seed);
        Map<String, DenseTensor> decoded = SeededWeights.decodedWeights(g, seed);
        for (LayerPlan.Linear l : plan.linears()) {
            int rows = plan.rows(l), n = l.nTotal(), k = l.k();
            LinearChoice c = LinearChoice.select(l, rows, GemvStage.HOLISTIC, H100, null);
            assertThat(c.usesGemm()).as(l.name()).isTrue();
            assertThat(c.gemm().path()).isEqualTo(GemmConfig.Path.MMA16832);
            assertThat(c.gemm().variant()).isEqualTo(GemmConfig.Variant.INT32_OUT);
            assertThat(c.zeroShift(l)).isZero();
            StackedWeights sw = StackedWeights.of(l, master);
            byte[] wBytes = sw.gemmWeights(c.paddedN(), ActivationFormat.INT4, c.gemm());
            assertThat((long) wBytes.length).isEqualTo(c.gemm().weightBytes());

            // Activations as the fused quantisers write them: FP16-stored values, per-token scale amax / 7, codes -7..7.
            SplittableRandom rnd = new SplittableRandom(seed ^ l.name().hashCode());
            double[] x = new double[rows * k];
            for (int i = 0; i < x.length; i++) x[i] = Fp16.round(rnd.nextGaussian() * (i % 7 == 0 ? 3 : 1));
            ActivationQuantizer.IntRow[] q = new ActivationQuantizer.IntRow[rows];
            byte[] aBytes = new byte[rows * k / 2];
            int[] aCodes = new int[rows * k];
            for (int r = 0; r < rows; r++) {
                q[r] = ActivationQuantizer.quantizeInt(x, r * k, k, 7);
                System.arraycopy(q[r].codes(), 0, aCodes, r * k, k);
                quantizeRowPacking(q[r].codes(), aBytes, r * (k / 2));
            }
            assertThat(aBytes).as("quantize_row's packing is the GEMM's INT4 A").containsExactly(GemmWeightLayout.int4Activations(aCodes));

            int[] sums = emulateGemm(c.gemm(), aBytes, wBytes, rows, c.paddedN(), k);
            double[] fakeQuant = ActivationQuantizer.fakeQuantize(ActivationFormat.INT4, x, k);
            double maxErr = 0, maxRef = 0;
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < n; j++) {
                    long exact = 0;
                    for (int e = 0; e < k; e++) exact += (long) aCodes[r * k + e] * sw.codes()[j * k + e];
                    assertThat(sums[r * c.paddedN() + j]).as("%s INT32 sum row %d col %d", l.name(), r, j).isEqualTo(exact);
                    // dequant_epilogue_i32 on the FP16 row scale and zero point the executor uploads (zshift 0)
                    double zero = Fp16.INSTANCE.decode(sw.rowZeros()[j] & 0xffff), scale = Fp16.INSTANCE.decode(sw.rowScales()[j] & 0xffff);
                    double got = (sums[r * c.paddedN() + j] - zero * q[r].codeSum()) * scale * q[r].scale();
                    double ref = referenceLinear(l, decoded, fakeQuant, r, j);
                    maxErr = Math.max(maxErr, Math.abs(got - ref));
                    maxRef = Math.max(maxRef, Math.abs(ref));
                }
            // The only difference left is double rounding (no FP16 output rounding here): ~1e-15 relative.
            assertThat(maxErr).as(l.name() + " dequantised vs reference").isLessThanOrEqualTo(1e-9 * maxRef);
            // The padded rows (zero codes) sum to zero.
            for (int r = 0; r < rows; r++) for (int j = n; j < c.paddedN(); j++) assertThat(sums[r * c.paddedN() + j]).isZero();
        }
    }

    /** llm_ops.cu quantize_row, fmt 2: out[p] = (lo & 15) | (hi & 15) << 4 for elements 2p, 2p+1. */
    private static void quantizeRowPacking(int[] codes, byte[] out, int offset) {
        for (int p = 0; p < codes.length / 2; p++) out[offset + p] = (byte) ((codes[2 * p] & 15) | (codes[2 * p + 1] & 15) << 4);
    }

    /** x . w_j (+ bias) of the reference executor's decoded member weights, stacked as the plan stacks the members. */
    private static double referenceLinear(LayerPlan.Linear l, Map<String, DenseTensor> decoded, double[] x, int r, int j) {
        List<Op.Linear> members = l.members();
        int m = members.size() - 1;
        while (l.offsetOf(m) > j) m--;
        Op.Linear op = members.get(m);
        int row = j - l.offsetOf(m), k = l.k();
        double[] wv = decoded.get(op.weight()).values();
        double acc = 0;
        for (int e = 0; e < k; e++) acc += x[r * k + e] * wv[row * k + e];
        // the bias is added after the dequantisation on both sides; it does not take part in this comparison
        return acc;
    }

    private static int word(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    /** s8 x s8 dot product of two registers (4 bytes each), as the m16n8k32 s8 MMA multiplies them. */
    private static int dot4(int a, int b) {
        int s = 0;
        for (int i = 0; i < 4; i++) s += (byte) (a >>> (8 * i)) * (byte) (b >>> (8 * i));
        return s;
    }

    private static int unpackU1x4(int x) { return (x * 0x00204081) & 0x01010101; }

    /**
     * C[M][N] of ladder_gemm.cu with LADDER_FMT 14/15/16 and INT_OUT, lane by lane: C[r][col] of one k32 step is
     * sum over the quad's lanes t of a0.b0 + a2.b1 (a0/a2: row r's registers of lane (r % 8, t); b0/b1: column col's of
     * lane (col % 8, t)); W rows are read at the kernel's byte offsets (W_ROWB bytes per row and 128-K tile).
     */
    private static int[] emulateGemm(GemmConfig c, byte[] a, byte[] w, int m, int n, int k) {
        int bits = c.weight().bits();
        int wRowb = 128 * bits / 8;   // FMT 14: 64, FMT 15: 32, FMT 16: 16 bytes per row and K tile
        int[] out = new int[m * n];
        for (int r = 0; r < m; r++)
            for (int col = 0; col < n; col++) {
                int acc = 0;
                for (int kt = 0; kt < k / 128; kt++)
                    for (int ks = 0; ks < 4; ks++)
                        for (int t = 0; t < 4; t++) {
                            int lo = word(a, r * (k / 2) + kt * 64 + ks * 16 + 4 * t);
                            int a0 = (lo << 4) & 0xF0F0F0F0, a2 = lo & 0xF0F0F0F0;
                            int b0, b1, wRow = col * (k / 128) * wRowb + kt * wRowb;
                            if (bits == 4) {
                                int x = word(w, wRow + ks * 16 + 4 * t);
                                b0 = x & 0x0F0F0F0F;
                                b1 = (x >>> 4) & 0x0F0F0F0F;
                            } else if (bits == 2) {
                                int kp = ks >> 1, kh = ks & 1, x = word(w, wRow + kp * 16 + 4 * t);
                                b0 = (x >>> (4 * kh)) & 0x03030303;
                                b1 = (x >>> (4 * kh + 2)) & 0x03030303;
                            } else {
                                int byt = (word(w, wRow + 4 * t) >>> (8 * ks)) & 0xFF;
                                b0 = unpackU1x4(byt & 0xF);
                                b1 = unpackU1x4(byt >> 4);
                            }
                            acc += dot4(a0, b0) + dot4(a2, b1);
                        }
                out[r * n + col] = acc >> 4;   // ACC_SHIFT: the sums are 16x the true ones
            }
        return out;
    }
}
