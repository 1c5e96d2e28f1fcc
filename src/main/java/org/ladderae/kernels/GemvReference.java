package org.ladderae.kernels;

import org.ladderae.formats.E8M0;
import org.ladderae.formats.Fp16;
import org.ladderae.formats.GroupQuantizer;
import org.ladderae.formats.ScalarCodec;

/**
 * CPU reference GEMV in double precision, NT layout: C[m][n] = sum_k A[m][k] * decode(W[n][k]);
 * A is M x K row-major, W is N x K (codes), C is M x N. Any M: the GEMM kernels ({@link GemmProblem}) are
 * checked against it too.
 */
public final class GemvReference {
    private GemvReference() {}

    /** FP16 activations (given as values), weights as codes of w; mxExponents [N][K/32] for MXFP8, else null. */
    public static double[] gemv(double[] a, int[] wCodes, byte[] mxExponents, WeightFormat w, int m, int n, int k) {
        check(a.length, wCodes.length, m, n, k);
        ScalarCodec codec = w.elementCodec();
        double[] c = new double[m * n];
        double[] row = new double[k];
        for (int j = 0; j < n; j++) {
            for (int kk = 0; kk < k; kk++) {
                double v = codec.decode(wCodes[j * k + kk]);
                if (w == WeightFormat.MXFP8) v *= E8M0.decode(mxExponents[j * (k / 32) + kk / 32] & 0xff);
                row[kk] = v;
            }
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int kk = 0; kk < k; kk++) s += a[i * k + kk] * row[kk];
                c[i * n + j] = s;
            }
        }
        return c;
    }

    /** FP16 activations and codes with per-group scales and zero points: weight = (decode(code) - zero) * scale. */
    public static double[] gemvGroupedCodes(double[] a, int[] wCodes, GroupParams g, WeightFormat w, int m, int n, int k) {
        check(a.length, wCodes.length, m, n, k);
        int groupLength = k / g.groups();
        GroupQuantizer.Quantized[] rows = new GroupQuantizer.Quantized[n];
        for (int j = 0; j < n; j++) {
            double[] scales = java.util.Arrays.copyOfRange(g.scales(), j * g.groups(), (j + 1) * g.groups());
            double[] zeros = java.util.Arrays.copyOfRange(g.zeros(), j * g.groups(), (j + 1) * g.groups());
            rows[j] = new GroupQuantizer.Quantized(java.util.Arrays.copyOfRange(wCodes, j * k, (j + 1) * k), scales, zeros, groupLength);
        }
        return gemvGrouped(a, rows, w.elementCodec(), m, k);
    }

    /** Integer activations (INT8 or INT4 values) and integer weights (unsigned INTx codes, or signed INT8 for the GEMM): exact sums (INT32 on the GPU). */
    public static long[] gemvInt(int[] a, int[] wCodes, int m, int n, int k) {
        check(a.length, wCodes.length, m, n, k);
        long[] c = new long[m * n];
        for (int j = 0; j < n; j++)
            for (int i = 0; i < m; i++) {
                long s = 0;
                for (int kk = 0; kk < k; kk++) s += (long) a[i * k + kk] * wCodes[j * k + kk];
                c[i * n + j] = s;
            }
        return c;
    }

    /** Weights with per-group scales / zero points (one {@link GroupQuantizer.Quantized} per row). */
    public static double[] gemvGrouped(double[] a, GroupQuantizer.Quantized[] rows, ScalarCodec codec, int m, int k) {
        int n = rows.length;
        double[] c = new double[m * n];
        for (int j = 0; j < n; j++)
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int kk = 0; kk < k; kk++) s += a[i * k + kk] * rows[j].dequantize(kk, codec);
                c[i * n + j] = s;
            }
        return c;
    }

    /** How FP16 outputs compare with a double-precision reference. */
    public record Fp16Comparison(double relativeError, boolean allFinite) {}

    /** ||out - ref|| / ||ref|| over FP16 output codes, and whether every output is finite (a NaN may be an unwritten poison). */
    public static Fp16Comparison compare(short[] fp16Out, double[] ref) {
        double num = 0, den = 0;
        boolean finite = true;
        for (int i = 0; i < ref.length; i++) {
            double got = Fp16.INSTANCE.decode(fp16Out[i] & 0xffff);
            if (!Double.isFinite(got)) finite = false;
            num += (got - ref[i]) * (got - ref[i]);
            den += ref[i] * ref[i];
        }
        return new Fp16Comparison(Math.sqrt(num / den), finite);
    }

    /** Fraction of FP16 outputs that are not the round-to-nearest FP16 of the exact integer result. */
    public static double fractionInexact(short[] fp16Out, long[] exact) {
        int wrong = 0;
        for (int i = 0; i < exact.length; i++) if ((fp16Out[i] & 0xffff) != toFp16Code(exact[i])) wrong++;
        return (double) wrong / exact.length;
    }

    /** The FP16 the kernel writes for an exact value (round to nearest even, Inf past 65504 + half an ulp). */
    public static int toFp16Code(double v) { return Fp16.INSTANCE.encode(v); }

    private static void check(int aLen, int wLen, int m, int n, int k) {
        if ((long) m * k != aLen) throw new IllegalArgumentException("A has " + aLen + " elements, expected M*K = " + (long) m * k);
        if ((long) n * k != wLen) throw new IllegalArgumentException("W has " + wLen + " codes, expected N*K = " + (long) n * k);
    }
}
