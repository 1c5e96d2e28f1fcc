package org.ladderae.kernels;

import java.util.SplittableRandom;
import org.ladderae.formats.BitPacking;
import org.ladderae.formats.E8M0;
import org.ladderae.formats.Fp16;
import org.ladderae.kernels.GemmConfig.Format;

/**
 * Random inputs for one GEMM shape of the Ladder tensor-core kernels, as the device stores them and as
 * the double-precision reference multiplies them. FP16 values are uniform in [-1, 1); INT4/INT2/INT1/NF4 weights
 * are uniform codes (no scale, as in the artifact); INT8 activations and weights are signed in [-8, 8), as
 * gemm_check.py draws them, which keeps the exact INT32 sums inside FP16's range for K up to a few
 * thousand; INT8 weights with FP16 activations are unsigned codes 0..255 and INT4 activations signed -8..7 (the
 * GEMV kernels' meanings); FP8 weights with FP16 activations are the GEMV problems' finite codes; where both operands are FP8
 * (or MXFP8) the codes are drawn with magnitudes about 2^-6..2^3 and MXFP8 block exponents 2^-4..2^0, so the
 * sums stay well inside FP16's output range. Never all zeros: zeros hide unwritten outputs.
 *
 * @param weightCodes FP16 codes, unsigned INTx / NF4 / FP8 codes, or signed INT8 values (with INT8 activations); [N][K]
 * @param actCodes    FP16 or FP8 codes, or signed INT8 / INT4 values; [M][K]
 * @param weightExponents MXFP8: E8M0 codes [N][K/32], else null
 * @param actExponents    MXFP8: E8M0 codes [M][K/32], else null
 */
public record GemmProblem(Format weights, Format acts, int m, int n, int k, int[] weightCodes, int[] actCodes,
                          byte[] weightExponents, byte[] actExponents) {

    public static GemmProblem random(Format weights, Format acts, int m, int n, int k, long seed) {
        if (!GemmKernels.supports(weights, acts)) throw new IllegalArgumentException("no GEMM kernel for W_" + weights + "A_" + acts);
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] a = new int[m * k];
        boolean bothFp8 = acts != Format.FP16 && !integerActivations(acts);
        for (int i = 0; i < a.length; i++) a[i] = bothFp8 ? moderateFp8(acts, rnd) : acts == Format.INT4 ? rnd.nextInt(-8, 8) : randomCode(acts, rnd);
        int[] w = new int[n * k];
        boolean unsignedInt8 = weights == Format.INT8 && acts == Format.FP16;   // the GEMV kernels' INT8 weight: a code 0..255
        for (int i = 0; i < w.length; i++) w[i] = bothFp8 ? moderateFp8(weights, rnd) : unsignedInt8 ? rnd.nextInt(256) : randomCode(weights, rnd);
        byte[] we = weights == Format.MXFP8 ? exponents(n * (k / 32), rnd) : null;
        byte[] ae = acts == Format.MXFP8 ? exponents(m * (k / 32), rnd) : null;
        return new GemmProblem(weights, acts, m, n, k, w, a, we, ae);
    }

    private static int randomCode(Format f, SplittableRandom rnd) {
        return switch (f) {
            case FP16 -> Fp16.INSTANCE.encode(rnd.nextDouble(-1, 1));
            case INT8 -> rnd.nextInt(-8, 8);
            case INT4, NF4 -> rnd.nextInt(16);
            case INT2 -> rnd.nextInt(4);
            case INT1 -> rnd.nextInt(2);
            case FP8_E5M2, MXFP8 -> GemvProblem.randomWeightCode(WeightFormat.FP8_E5M2, rnd);
            case FP8_E4M3 -> GemvProblem.randomWeightCode(WeightFormat.FP8_E4M3, rnd);
        };
    }

    /** An FP8 code (E4M3, or E5M2 for E5M2/MXFP8) of magnitude 2^-6 .. 2^3 with random sign and mantissa: finite, never NaN. */
    private static int moderateFp8(Format f, SplittableRandom rnd) {
        int sign = rnd.nextInt(2) << 7;
        if (f == Format.FP8_E4M3) return sign | rnd.nextInt(7 - 6, 7 + 3) << 3 | rnd.nextInt(8);    // bias 7
        return sign | rnd.nextInt(15 - 6, 15 + 3) << 2 | rnd.nextInt(4);                             // bias 15
    }

    private static byte[] exponents(int count, SplittableRandom rnd) {
        byte[] e = new byte[count];
        for (int i = 0; i < count; i++) e[i] = (byte) rnd.nextInt(123, 128);   // 2^-4 .. 2^0
        return e;
    }

    /** Whether the kernel for these activations sums integers exactly (INT32): INT8 and INT4 activations. */
    public static boolean integerActivations(Format acts) { return acts == Format.INT8 || acts == Format.INT4; }

    /**
     * A [M][K] as the kernel reads it: FP16 little-endian, 8-bit codes (MXFP8: then the exponents [M][K/32]), or INT4
     * packed two per byte ({@link GemmWeightLayout#int4Activations}).
     */
    public byte[] deviceActivations() {
        if (acts == Format.INT4) return GemmWeightLayout.int4Activations(actCodes);
        return acts == Format.FP16 ? BitPacking.pack(actCodes, 16) : withExponents(bytesOf(actCodes), actExponents);
    }

    /** W [N][K] as the kernel reads it: FP16, 8-bit codes, or the packed formats in {@link GemmWeightLayout}'s layouts. */
    /** W as the kernel of {@code path} reads it: {@link #deviceWeights()}, in the wgmma fragment order for the TMA kernel's packed weights. */
    public byte[] deviceWeights(GemmConfig.Path path) {
        if (path != GemmConfig.Path.WGMMA_TMA || weights == Format.FP16) return deviceWeights();
        return GemmWeightLayout.wgmmaFragmentOrder(deviceWeights(), n, k, weights.bits());
    }

    /**
     * W as {@code config}'s kernel reads it: {@link #deviceWeights(GemmConfig.Path)}, or for the Figure 13 BASELINE stage
     * the plain row-major packing of the codes (element i of a row at bit i * bits; FP16 and MXFP8 are the same either way).
     */
    public byte[] deviceWeights(GemmConfig config) {
        if (config.plainWeightLayout() && weights.bits() < 8) return BitPacking.pack(weightCodes, weights.bits());
        return deviceWeights(config.path());
    }

    public byte[] deviceWeights() {
        return switch (weights) {
            case FP16 -> BitPacking.pack(weightCodes, 16);
            case FP8_E4M3 -> bytesOf(weightCodes);
            case INT8, FP8_E5M2 -> acts == Format.FP16 ? GemmWeightLayout.forMma(weights, acts, weightCodes, n, k) : bytesOf(weightCodes);
            case MXFP8 -> withExponents(bytesOf(weightCodes), weightExponents);
            case INT4, INT2, INT1, NF4 -> GemmWeightLayout.forMma(weights, acts, weightCodes, n, k);
        };
    }

    /** C = A x W^T in double precision (floating-point activations; every element and block scale decoded exactly). */
    public double[] reference() {
        if (integerActivations(acts)) throw new IllegalStateException("integer activations: use exactReference()");
        double[] a = new double[actCodes.length];
        WeightFormat actCodec = switch (acts) {
            case FP16 -> WeightFormat.FP16;
            case FP8_E4M3 -> WeightFormat.FP8_E4M3;
            default -> WeightFormat.FP8_E5M2;
        };
        for (int i = 0; i < a.length; i++) {
            a[i] = actCodec.elementCodec().decode(actCodes[i]);
            if (acts == Format.MXFP8) a[i] *= E8M0.decode(actExponents[(i / k) * (k / 32) + (i % k) / 32] & 0xff);
        }
        WeightFormat w = switch (weights) {
            case FP16 -> WeightFormat.FP16;
            case INT8 -> WeightFormat.INT8;   // unsigned codes 0..255, as the GEMV kernels
            case INT4 -> WeightFormat.INT4;   // unsigned codes 0..15
            case INT2 -> WeightFormat.INT2;
            case INT1 -> WeightFormat.INT1;
            case NF4 -> WeightFormat.NF4;
            case FP8_E5M2 -> WeightFormat.FP8_E5M2;
            case FP8_E4M3 -> WeightFormat.FP8_E4M3;
            case MXFP8 -> WeightFormat.MXFP8;
            default -> throw new IllegalStateException("W_" + weights + " takes integer activations");
        };
        return GemvReference.gemv(a, weightCodes, weightExponents, w, m, n, k);
    }

    /**
     * C = A x W^T exactly (INT8 or INT4 activations x integer weights: what the kernel's INT32 accumulators hold, INT4
     * activations' after the shift, before the FP16 cast).
     */
    public long[] exactReference() {
        if (!integerActivations(acts)) throw new IllegalStateException("floating-point activations: use reference()");
        return GemvReference.gemvInt(actCodes, weightCodes, m, n, k);
    }

    private static byte[] withExponents(byte[] elements, byte[] exponents) {
        if (exponents == null) return elements;
        byte[] out = java.util.Arrays.copyOf(elements, elements.length + exponents.length);
        System.arraycopy(exponents, 0, out, elements.length, exponents.length);
        return out;
    }

    private static byte[] bytesOf(int[] values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) values[i];
        return b;
    }
}
