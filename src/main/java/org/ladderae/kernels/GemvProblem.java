package org.ladderae.kernels;

import java.util.SplittableRandom;
import org.ladderae.formats.Fp16;

/**
 * Random inputs for one GEMV shape, as codes (what the device stores) and, for FP16 activations,
 * their exact values (what the double-precision reference multiplies). Ranges follow the formats:
 * FP8 codes stay finite, MXFP8 block exponents and integer activations are kept small enough that
 * the FP16 output does not overflow. Never zeros: zeros hide unwritten outputs and bad indexing.
 */
public record GemvProblem(WeightFormat weights, ActFormat acts, int m, int n, int k,
                          int[] weightCodes, byte[] mxExponents, int[] actCodes, double[] actValues, int[] actInts) {

    public static GemvProblem random(WeightFormat w, ActFormat a, int m, int n, int k, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] wc = new int[n * k];
        for (int i = 0; i < wc.length; i++) wc[i] = randomWeightCode(w, rnd);
        byte[] mx = null;
        if (w == WeightFormat.MXFP8) {
            mx = new byte[n * (k / 32)];
            for (int i = 0; i < mx.length; i++) mx[i] = (byte) rnd.nextInt(112, 129);   // scales 2^-15..2^1
        }
        int[] codes = new int[m * k];
        double[] values = null;
        int[] ints = null;
        if (a == ActFormat.FP16) {
            values = new double[m * k];
            for (int i = 0; i < codes.length; i++) {
                codes[i] = Fp16.INSTANCE.encode(rnd.nextDouble(-1, 1));
                values[i] = Fp16.INSTANCE.decode(codes[i]);
            }
        } else {
            ints = new int[m * k];
            int range = a == ActFormat.INT4 ? 8 : w.bits() == 8 ? 2 : 7;   // keeps most INT32 sums inside FP16 range
            for (int i = 0; i < ints.length; i++) {
                ints[i] = a == ActFormat.INT4 ? rnd.nextInt(-8, 8) : rnd.nextInt(-range, range + 1);
                codes[i] = ints[i] & (a == ActFormat.INT4 ? 0xf : 0xff);
            }
        }
        return new GemvProblem(w, a, m, n, k, wc, mx, codes, values, ints);
    }

    static int randomWeightCode(WeightFormat w, SplittableRandom rnd) {
        switch (w) {
            case FP16:
                return Fp16.INSTANCE.encode(rnd.nextDouble(-1, 1));
            case FP8_E5M2:
            case MXFP8:
                return (rnd.nextInt(2) << 7) | (rnd.nextInt(0, 23) << 2) | rnd.nextInt(4);
            case FP8_E4M3: {
                int e = rnd.nextInt(16);
                int mant = rnd.nextInt(8);
                if (e == 15 && mant == 7) mant = 6;   // S.1111.111 is NaN
                return (rnd.nextInt(2) << 7) | (e << 3) | mant;
            }
            default:
                return rnd.nextInt(1 << w.bits());
        }
    }

    /** Bytes of A as the kernel reads it. */
    public byte[] deviceActivations() { return WeightLayout.deviceActivations(actCodes, acts); }
}
