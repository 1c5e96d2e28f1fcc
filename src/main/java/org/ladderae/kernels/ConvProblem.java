package org.ladderae.kernels;

import java.util.SplittableRandom;
import org.ladderae.formats.BitPacking;
import org.ladderae.formats.Fp16;
import org.ladderae.formats.Fp8E5M2;
import org.ladderae.formats.Mxfp8;

/**
 * Random inputs of one conv problem in a format pair of Ladder's conv kernels, as the device stores them
 * and as the double-precision reference convolves them. Never zeros: zeros would hide unwritten outputs
 * and wrong gathers. FP16 values are uniform in [-1, 1); FP8 weights are the E5M2 rounding of such
 * values; MXFP8 tensors are uniform [-1, 1) values encoded by the OCP recipe ({@link Mxfp8#encodeBlock}),
 * 32 channels per exponent (activations: per pixel; weights: per filter along R*S*C); INT4 activations
 * are signed -8..7 and INT4 weights unsigned codes 0..15 (no scale, as in the artifact).
 *
 * @param x    input codes, NHWC (FP16 or E5M2 codes, or INT4 values)
 * @param xExp E8M0 codes [N*H*W][C/32] (MXFP8 only, else null)
 * @param w    weight codes, KRSC
 * @param wExp E8M0 codes [K][R*S*C/32] (MXFP8 only, else null)
 */
public record ConvProblem(ConvFormat format, ConvShape shape, int[] x, int[] xExp, int[] w, int[] wExp) {

    public static ConvProblem random(ConvFormat format, ConvShape shape, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] x = new int[Math.toIntExact(shape.inputElements())];
        int[] w = new int[Math.toIntExact(shape.weightElements())];
        int[] xe = null, we = null;
        switch (format) {
            case W_FP16A_FP16, W_FP8A_FP16 -> {
                for (int i = 0; i < x.length; i++) x[i] = Fp16.INSTANCE.encode(rnd.nextDouble(-1, 1));
                for (int i = 0; i < w.length; i++) {
                    double v = rnd.nextDouble(-1, 1);
                    w[i] = format == ConvFormat.W_FP16A_FP16 ? Fp16.INSTANCE.encode(v) : Fp8E5M2.INSTANCE.encode(v);
                }
            }
            case W_MXFP8A_MXFP8 -> {
                xe = encodeMx(x, rnd);
                we = encodeMx(w, rnd);
            }
            case W_INT4A_INT4, W_INT1A_INT4 -> {
                for (int i = 0; i < x.length; i++) x[i] = rnd.nextInt(-8, 8);
                int codes = format == ConvFormat.W_INT4A_INT4 ? 16 : 2;
                for (int i = 0; i < w.length; i++) w[i] = rnd.nextInt(codes);
            }
        }
        return new ConvProblem(format, shape, x, xe, w, we);
    }

    /** Fills {@code codes} with MXFP8 elements of uniform [-1, 1) values, returns one exponent per 32. */
    private static int[] encodeMx(int[] codes, SplittableRandom rnd) {
        int[] exps = new int[codes.length / Mxfp8.BLOCK];
        double[] block = new double[Mxfp8.BLOCK];
        for (int b = 0; b < exps.length; b++) {
            for (int i = 0; i < block.length; i++) block[i] = rnd.nextDouble(-1, 1);
            Mxfp8.Block enc = Mxfp8.encodeBlock(block, 0);
            exps[b] = enc.exponent();
            System.arraycopy(enc.elements(), 0, codes, b * Mxfp8.BLOCK, Mxfp8.BLOCK);
        }
        return exps;
    }

    /** The input as the kernel reads it: FP16 little-endian, E5M2 bytes, or INT4 two per byte (element 0 low). */
    public byte[] deviceInput() {
        return switch (format) {
            case W_FP16A_FP16, W_FP8A_FP16 -> BitPacking.pack(x, 16);
            case W_MXFP8A_MXFP8 -> BitPacking.pack(x, 8);
            case W_INT4A_INT4, W_INT1A_INT4 -> BitPacking.pack(x, 4);   // the low nibble of a negative value is its two's complement
        };
    }

    /** The KRSC weights as the kernel reads them (FP8: in the fragment order of {@link ConvWeightLayout#fp8ForMma}). */
    public byte[] deviceWeights() {
        return switch (format) {
            case W_FP16A_FP16 -> BitPacking.pack(ConvWeightLayout.padRows(w, shape), 16);
            case W_FP8A_FP16 -> ConvWeightLayout.fp8ForMma(ConvWeightLayout.padRows(w, shape));   // any C: rows padded to the K tile
            case W_MXFP8A_MXFP8 -> BitPacking.pack(w, 8);
            case W_INT4A_INT4 -> BitPacking.pack(w, 4);
            case W_INT1A_INT4 -> BitPacking.pack(ConvWeightLayout.padRows(w, shape), 1);
        };
    }

    /** E8M0 bytes of the input (MXFP8) or a 16-byte placeholder the kernel never reads. */
    public byte[] deviceInputScales() { return xExp == null ? new byte[16] : BitPacking.pack(xExp, 8); }

    public byte[] deviceWeightScales() { return wExp == null ? new byte[16] : BitPacking.pack(wExp, 8); }

    /** Input element i (NHWC) as a real number. */
    double inputValue(int i) {
        return switch (format) {
            case W_FP16A_FP16, W_FP8A_FP16 -> Fp16.INSTANCE.decode(x[i]);
            case W_MXFP8A_MXFP8 -> Mxfp8.decode(xExp[i / Mxfp8.BLOCK], x[i]);
            case W_INT4A_INT4, W_INT1A_INT4 -> x[i];
        };
    }

    /** Weight element i (KRSC) as a real number. */
    double weightValue(int i) {
        return switch (format) {
            case W_FP16A_FP16 -> Fp16.INSTANCE.decode(w[i]);
            case W_FP8A_FP16 -> Fp8E5M2.INSTANCE.decode(w[i]);
            case W_MXFP8A_MXFP8 -> Mxfp8.decode(wExp[i / Mxfp8.BLOCK], w[i]);
            case W_INT4A_INT4 -> w[i];
            case W_INT1A_INT4 -> 2 * w[i] - 1;   // the binary weight: code 1 is +1, code 0 is -1
        };
    }

    /** The convolution in double precision, output NHWC ([N*P*Q][K]), straight from the definition (no im2col). */
    public double[] reference() {
        ConvShape s = shape;
        double[] xv = new double[x.length], wv = new double[w.length];
        for (int i = 0; i < xv.length; i++) xv[i] = inputValue(i);
        for (int i = 0; i < wv.length; i++) wv[i] = weightValue(i);
        int p = s.p(), q = s.q();
        double[] y = new double[Math.toIntExact(s.outputElements())];
        for (int n = 0; n < s.n(); n++)
            for (int oh = 0; oh < p; oh++)
                for (int ow = 0; ow < q; ow++) {
                    int out = ((n * p + oh) * q + ow) * s.k();
                    for (int r = 0; r < s.r(); r++) {
                        int ih = oh * s.stride() - s.pad() + r;
                        if (ih < 0 || ih >= s.h()) continue;
                        for (int t = 0; t < s.s(); t++) {
                            int iw = ow * s.stride() - s.pad() + t;
                            if (iw < 0 || iw >= s.w()) continue;
                            int xb = ((n * s.h() + ih) * s.w() + iw) * s.c();
                            for (int k = 0; k < s.k(); k++) {
                                int wb = ((k * s.r() + r) * s.s() + t) * s.c();
                                double acc = 0;
                                for (int c = 0; c < s.c(); c++) acc += xv[xb + c] * wv[wb + c];
                                y[out + k] += acc;
                            }
                        }
                    }
                }
        return y;
    }

    /**
     * The fused layer in double precision: relu?(conv + bias[k] + residual[pixel][k]); {@code bias} (K FP16
     * codes) and {@code residual} (N*P*Q*K FP16 codes, NHWC) may be null.
     */
    public double[] reference(int[] bias, int[] residual, boolean relu) {
        double[] y = reference();
        int k = shape.k();
        for (int i = 0; i < y.length; i++) {
            double v = y[i];
            if (bias != null) v += Fp16.INSTANCE.decode(bias[i % k]);
            if (residual != null) v += Fp16.INSTANCE.decode(residual[i]);
            y[i] = relu ? Math.max(v, 0) : v;
        }
        return y;
    }

    /** Random FP16 codes of uniform [-1, 1) values (bias or residual of the fused epilogue). */
    public static int[] randomFp16(int count, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) out[i] = Fp16.INSTANCE.encode(rnd.nextDouble(-1, 1));
        return out;
    }

    /** The exact integer convolution (INT4 x INT4): what the kernel's INT32 accumulators hold before the FP16 cast. */
    public long[] exactReference() {
        if (!format.integer()) throw new IllegalStateException("not an integer format: use reference()");
        double[] y = reference();   // integer sums below 2^53 are exact in double
        long[] out = new long[y.length];
        for (int i = 0; i < y.length; i++) out[i] = (long) y[i];
        return out;
    }
}
