package org.ladderae.kernels;

import java.util.SplittableRandom;
import org.ladderae.formats.BitPacking;
import org.ladderae.formats.Fp16;
import org.ladderae.kernels.GemmConfig.Format;

/**
 * Random inputs for one GEMM shape of the Ladder tensor-core kernels, as the device stores them and as
 * the double-precision reference multiplies them. FP16 values are uniform in [-1, 1); INT4 weights are
 * unsigned codes 0..15 (no scale, as in the artifact); INT8 activations and weights are signed in
 * [-8, 8), as gemm_check.py draws them, which keeps the exact INT32 sums inside FP16's range for K up to
 * a few thousand. Never all zeros: zeros hide unwritten outputs and bad indexing.
 *
 * @param weightCodes FP16 codes, INT4 codes 0..15, or signed INT8 values; [N][K]
 * @param actCodes    FP16 codes or signed INT8 values; [M][K]
 */
public record GemmProblem(Format weights, Format acts, int m, int n, int k, int[] weightCodes, int[] actCodes) {

    public static GemmProblem random(Format weights, Format acts, int m, int n, int k, long seed) {
        if (!GemmKernels.supports(weights, acts)) throw new IllegalArgumentException("no GEMM kernel for W_" + weights + "A_" + acts);
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] a = new int[m * k];
        for (int i = 0; i < a.length; i++) a[i] = acts == Format.INT8 ? rnd.nextInt(-8, 8) : Fp16.INSTANCE.encode(rnd.nextDouble(-1, 1));
        int[] w = new int[n * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = switch (weights) {
                case FP16 -> Fp16.INSTANCE.encode(rnd.nextDouble(-1, 1));
                case INT4 -> rnd.nextInt(16);
                case INT8 -> rnd.nextInt(-8, 8);
            };
        }
        return new GemmProblem(weights, acts, m, n, k, w, a);
    }

    /** A [M][K] as the kernel reads it: FP16 little-endian or INT8 bytes. */
    public byte[] deviceActivations() { return acts == Format.INT8 ? bytesOf(actCodes) : BitPacking.pack(actCodes, 16); }

    /** W [N][K] as the kernel reads it: FP16, INT8 bytes, or INT4 in the Ladder fragment layout. */
    public byte[] deviceWeights() {
        return switch (weights) {
            case FP16 -> BitPacking.pack(weightCodes, 16);
            case INT8 -> bytesOf(weightCodes);
            case INT4 -> GemmWeightLayout.int4ForMma(weightCodes, n, k);
        };
    }

    /** C = A x W^T in double precision (FP16 activations; weights decoded exactly). */
    public double[] reference() {
        if (acts != Format.FP16) throw new IllegalStateException("integer activations: use exactReference()");
        double[] a = new double[actCodes.length];
        for (int i = 0; i < a.length; i++) a[i] = Fp16.INSTANCE.decode(actCodes[i]);
        WeightFormat w = weights == Format.FP16 ? WeightFormat.FP16 : WeightFormat.INT4;   // INT4 codes decode to 0..15
        return GemvReference.gemv(a, weightCodes, null, w, m, n, k);
    }

    /** C = A x W^T exactly (INT8 x INT8, what the kernel's INT32 accumulators hold before the FP16 cast). */
    public long[] exactReference() {
        if (acts != Format.INT8) throw new IllegalStateException("FP16 activations: use reference()");
        return GemvReference.gemvInt(actCodes, weightCodes, m, n, k);
    }

    private static byte[] bytesOf(int[] values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) values[i];
        return b;
    }
}
