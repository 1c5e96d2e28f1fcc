package org.ladderae.kernels;

import java.util.SplittableRandom;
import org.ladderae.formats.Fp16;

/**
 * Per-group scales and zero points of one weight matrix, [N][groups] row-major, FP16-exact values:
 * weight = (decode(code) - zero) * scale. Random ones follow what quantisers produce: positive scales
 * that keep the output well inside FP16, integer zero points inside the code range for INTx (asymmetric
 * quantisation), zero for NF4 (absmax, symmetric).
 */
public record GroupParams(double[] scales, double[] zeros, int n, int groups) {
    public GroupParams {
        if (scales.length != (long) n * groups || zeros.length != scales.length)
            throw new IllegalArgumentException("expected " + (long) n * groups + " scales and zeros");
    }

    public static GroupParams random(GemvConfig c, int n, int k, long seed) {
        if (!c.grouped()) throw new IllegalArgumentException(c + " has no groups");
        int groups = c.groups(k);
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x9e3779b97f4a7c15L);
        double[] s = new double[n * groups], z = new double[n * groups];
        int maxCode = (1 << c.weights().bits()) - 1;
        for (int i = 0; i < s.length; i++) {
            s[i] = Fp16.round(rnd.nextDouble(0.005, 0.05));
            z[i] = c.weights().isUnsignedInt() ? rnd.nextInt(maxCode + 1) : 0;
        }
        return new GroupParams(s, z, n, groups);
    }

    /** The device bytes the kernels read ({@link WeightLayout#deviceGroupParams}). */
    public byte[] deviceBytes() { return WeightLayout.deviceGroupParams(scales, zeros, n, groups); }

    public double scale(int row, int group) { return scales[row * groups + group]; }

    public double zero(int row, int group) { return zeros[row * groups + group]; }
}
