package org.ladderae.kernels;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One conv2d problem (dilation 1, groups 1): input N x C x H x W, K filters of C x R x S, stride and
 * symmetric zero padding; output N x K x P x Q. Ladder's kernels store it NHWC with weights K x (R*S*C),
 * and compute it as the implicit GEMM M = N*P*Q, N_gemm = K, K_gemm = R*S*C.
 */
public record ConvShape(int n, int c, int h, int w, int k, int r, int s, int stride, int pad) {

    /** Figure 12's conv panel (EXPERIMENTS.md 5.3): ResNet-50 layers at batch 128 (C0-C3) and 1 (C4-C7). */
    public static final Map<String, ConvShape> FIGURE12 = figure12();

    public ConvShape {
        if (n < 1 || c < 1 || h < 1 || w < 1 || k < 1 || r < 1 || s < 1 || stride < 1 || pad < 0)
            throw new IllegalArgumentException("conv dimensions must be positive (pad >= 0): " + dims(n, c, h, w, k, r, s, stride, pad));
        if (h + 2 * pad < r || w + 2 * pad < s)
            throw new IllegalArgumentException("the " + r + "x" + s + " filter is larger than the padded " + h + "x" + w + " input");
        if ((long) n * ((h + 2L * pad - r) / stride + 1) * ((w + 2L * pad - s) / stride + 1) > Integer.MAX_VALUE)
            throw new IllegalArgumentException("N*P*Q over 2^31");
    }

    /** Output height. */
    public int p() { return (h + 2 * pad - r) / stride + 1; }

    /** Output width. */
    public int q() { return (w + 2 * pad - s) / stride + 1; }

    /** Rows of the implicit GEMM: output pixels N*P*Q. */
    public int gemmM() { return n * p() * q(); }

    /** Reduction length of the implicit GEMM: R*S*C. */
    public int gemmK() { return r * s * c; }

    /** 2 * N*P*Q * K * R*S*C (multiply-adds counted twice, padding taps included, as cuDNN benchmarks count). */
    public double flops() { return 2.0 * gemmM() * k * gemmK(); }

    /** Input, weight and output elements (each moved at least once). */
    public long inputElements() { return (long) n * h * w * c; }

    public long weightElements() { return (long) k * r * s * c; }

    public long outputElements() { return (long) gemmM() * k; }

    /** "N,C,H,W,K,R,S,stride,pad", the form --shape and the baselines take. */
    public String dims() { return dims(n, c, h, w, k, r, s, stride, pad); }

    private static String dims(int... v) {
        StringBuilder b = new StringBuilder();
        for (int x : v) b.append(b.length() == 0 ? "" : ",").append(x);
        return b.toString();
    }

    /** A Figure 12 label (C0..C7) or nine comma-separated integers N,C,H,W,K,R,S,stride,pad. */
    public static ConvShape parse(String text) {
        String t = text.trim();
        ConvShape named = FIGURE12.get(t.toUpperCase(Locale.ROOT));
        if (named != null) return named;
        String[] parts = t.split(",");
        if (parts.length != 9)
            throw new IllegalArgumentException("conv shape '" + text + "': give C0..C7 or N,C,H,W,K,R,S,stride,pad (9 integers)");
        int[] v = new int[9];
        for (int i = 0; i < 9; i++) {
            try {
                v[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("conv shape '" + text + "': '" + parts[i].trim() + "' is not an integer");
            }
        }
        return new ConvShape(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
    }

    private static Map<String, ConvShape> figure12() {
        Map<String, ConvShape> m = new LinkedHashMap<>();
        m.put("C0", new ConvShape(128, 64, 56, 56, 64, 3, 3, 1, 1));
        m.put("C1", new ConvShape(128, 64, 56, 56, 64, 1, 1, 1, 0));
        m.put("C2", new ConvShape(128, 128, 28, 28, 128, 3, 3, 1, 1));
        m.put("C3", new ConvShape(128, 512, 28, 28, 128, 1, 1, 1, 0));
        m.put("C4", new ConvShape(1, 64, 56, 56, 64, 3, 3, 1, 1));
        m.put("C5", new ConvShape(1, 64, 56, 56, 64, 1, 1, 1, 0));
        m.put("C6", new ConvShape(1, 128, 28, 28, 128, 3, 3, 1, 1));
        m.put("C7", new ConvShape(1, 512, 28, 28, 128, 1, 1, 1, 0));
        return java.util.Collections.unmodifiableMap(m);
    }
}
