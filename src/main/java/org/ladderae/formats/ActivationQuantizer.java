package org.ladderae.formats;

/**
 * CPU semantics of the activation quantisers of {@code kernels/llm/llm_ops.cu} (the {@code quant_*} device functions),
 * written so that the same FP16 row gives bit-identical codes and scales on both sides:
 * <ul>
 * <li>the input is the activation as an FP16 tensor holds it (the fused norm / SiLU kernels round their FP32 result to
 *     FP16 first, exactly what an unfused kernel would store);</li>
 * <li>INT8 / INT4, per token (one row of K), symmetric: amax = max |x| in FP32, scale = amax / qmax in FP32
 *     (qmax 127 or 7), code = round-half-to-even(x / scale) in FP32, clamped to [-qmax, qmax]; an all-zero row has
 *     scale 0 and codes 0. The integer GEMV/GEMM take no activation scale (they return the exact INT32 sums of codes),
 *     so the scale enters in the dequantising epilogue: y = (sum(q * code_w) - zero_w * sum(q)) * scale_w * scale_a.
 *     Per token rather than per tensor because one block of the norm kernel owns one row: no grid-wide reduction;</li>
 * <li>MXFP8: each block of 32 consecutive elements of a row is {@link Mxfp8#encodeBlock} (shared exponent
 *     floor(log2 amax) - 15, E5M2 elements rounded to nearest even and saturated), the project's codec.</li>
 * </ul>
 * {@link #fakeQuantize} returns the values the linear layer then multiplies: code x scale, in double.
 */
public final class ActivationQuantizer {
    private ActivationQuantizer() {}

    /** One row quantised to integers: its codes, its FP32 scale, and the sum of its codes (the zero-point term). */
    public record IntRow(int[] codes, float scale, long codeSum) {
        public double value(int i) { return codes[i] * (double) scale; }
    }

    /** The FP32 value the quantiser reads for an activation: the FP16 the tensor stores. */
    public static float stored(double x) { return (float) Fp16.round(x); }

    /** Per-token symmetric quantisation of {@code row[offset .. offset + k)} to codes in [-qmax, qmax]. */
    public static IntRow quantizeInt(double[] row, int offset, int k, int qmax) {
        float amax = 0;
        for (int i = 0; i < k; i++) amax = Math.max(amax, Math.abs(stored(row[offset + i])));
        float scale = amax / (float) qmax;
        int[] codes = new int[k];
        long sum = 0;
        if (amax > 0) {
            for (int i = 0; i < k; i++) {
                float r = stored(row[offset + i]) / scale;   // FP32 division, as the kernel's __fdiv_rn
                codes[i] = (int) Math.max(-qmax, Math.min(qmax, Math.rint(r)));
                sum += codes[i];
            }
        }
        return new IntRow(codes, scale, sum);
    }

    /** Blocks of 32 along a row of {@code k} elements, each {@link Mxfp8#encodeBlock} of the stored FP16 values. */
    public static Mxfp8.Block[] quantizeMxfp8(double[] row, int offset, int k) {
        if (k % Mxfp8.BLOCK != 0) throw new IllegalArgumentException("MXFP8 activations need K a multiple of " + Mxfp8.BLOCK + ", got " + k);
        double[] block = new double[Mxfp8.BLOCK];
        Mxfp8.Block[] out = new Mxfp8.Block[k / Mxfp8.BLOCK];
        for (int b = 0; b < out.length; b++) {
            for (int i = 0; i < Mxfp8.BLOCK; i++) block[i] = stored(row[offset + b * Mxfp8.BLOCK + i]);
            out[b] = Mxfp8.encodeBlock(block, 0);
        }
        return out;
    }

    /**
     * The values a linear layer multiplies after quantising {@code x} ([rows][k] row-major) to {@code f}: code x scale
     * per row (INT8, INT4) or per 32-element block (MXFP8), exact in double; FP16 returns x unchanged.
     */
    public static double[] fakeQuantize(ActivationFormat f, double[] x, int k) {
        if (x.length % k != 0) throw new IllegalArgumentException(x.length + " activations are not rows of " + k);
        if (f == ActivationFormat.FP16) return x.clone();
        double[] out = new double[x.length];
        for (int off = 0; off < x.length; off += k) {
            if (f.isInt()) {
                IntRow q = quantizeInt(x, off, k, f.maxCode());
                for (int i = 0; i < k; i++) out[off + i] = q.value(i);
            } else {
                Mxfp8.Block[] blocks = quantizeMxfp8(x, off, k);
                for (int i = 0; i < k; i++) {
                    Mxfp8.Block b = blocks[i / Mxfp8.BLOCK];
                    out[off + i] = Mxfp8.decode(b.exponent(), b.elements()[i % Mxfp8.BLOCK]);
                }
            }
        }
        return out;
    }
}
