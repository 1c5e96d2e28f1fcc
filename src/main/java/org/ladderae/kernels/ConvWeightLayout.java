package org.ladderae.kernels;

/**
 * Offline layout transforms of conv weights (done once, when a model is loaded). PyTorch stores filters
 * K x C x R x S; Ladder's conv kernels read K x (R*S*C), i.e. KRSC, so that the reduction index
 * k = (r*S + s)*C + c walks an input pixel's channels contiguously, as NHWC activations do. FP8 weights
 * beside FP16 activations also take the fragment permutation of {@link #fp8ForMma}. Each filter's row of
 * R*S*C elements is zero-padded to {@link #rowLength} (a multiple of the kernels' 64-element K tile), so
 * the 16-byte weight copies stay aligned for any C (the stem's C = 3, ShuffleNet's 58 and 116).
 */
public final class ConvWeightLayout {
    /** Within each 16-element group, byte 4t + j holds element FP8_ORDER[4t + j]: the k pairs of B fragment b0, b1. */
    static final int[] FP8_ORDER = {0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15};

    private ConvWeightLayout() {}

    /** Elements between two filters' rows in device memory: R*S*C rounded up to 64 (the pad is zeros). */
    public static int rowLength(ConvShape s) { return (s.gemmK() + ConvConfig.BK - 1) / ConvConfig.BK * ConvConfig.BK; }

    /** Elements of the device weight tensor: K x {@link #rowLength}. */
    public static long deviceElements(ConvShape s) { return (long) s.k() * rowLength(s); }

    /** KRSC codes (K rows of R*S*C) to rows of {@link #rowLength}, zero-padded. */
    public static int[] padRows(int[] krsc, ConvShape s) {
        int kg = s.gemmK(), ld = rowLength(s);
        if ((long) s.k() * kg != krsc.length) throw new IllegalArgumentException(krsc.length + " weights, expected K*R*S*C = " + (long) s.k() * kg);
        if (ld == kg) return krsc;
        int[] out = new int[s.k() * ld];
        for (int k = 0; k < s.k(); k++) System.arraycopy(krsc, k * kg, out, k * ld, kg);
        return out;
    }

    /**
     * Real-valued PyTorch weights (KCRS, batch-norm already folded in) to the FP16 device bytes the FP16
     * conv kernel reads: KRSC, rows padded to {@link #rowLength}, little-endian FP16 (round to nearest even).
     */
    public static byte[] fp16FromKcrs(float[] kcrs, ConvShape s) {
        int[] codes = new int[kcrs.length];
        for (int i = 0; i < codes.length; i++) codes[i] = org.ladderae.formats.Fp16.INSTANCE.encode(kcrs[i]);
        return org.ladderae.formats.BitPacking.pack(padRows(krscFromKcrs(codes, s.k(), s.c(), s.r(), s.s()), s), 16);
    }

    /** KCRS (PyTorch's conv weight) to KRSC, element codes of any width. */
    public static int[] krscFromKcrs(int[] kcrs, int k, int c, int r, int s) {
        check(kcrs.length, k, c, r, s);
        int[] out = new int[kcrs.length];
        for (int ko = 0; ko < k; ko++)
            for (int ci = 0; ci < c; ci++)
                for (int ri = 0; ri < r; ri++)
                    for (int si = 0; si < s; si++)
                        out[((ko * r + ri) * s + si) * c + ci] = kcrs[((ko * c + ci) * r + ri) * s + si];
        return out;
    }

    /** The inverse of {@link #krscFromKcrs}. */
    public static int[] kcrsFromKrsc(int[] krsc, int k, int c, int r, int s) {
        check(krsc.length, k, c, r, s);
        int[] out = new int[krsc.length];
        for (int ko = 0; ko < k; ko++)
            for (int ci = 0; ci < c; ci++)
                for (int ri = 0; ri < r; ri++)
                    for (int si = 0; si < s; si++)
                        out[((ko * c + ci) * r + ri) * s + si] = krsc[((ko * r + ri) * s + si) * c + ci];
        return out;
    }

    /**
     * FP8 weight codes (KRSC, rows of a multiple of 16) in the order the W_FP8A_FP16 kernel's ldmatrix
     * reads them: lane t of a quad gets bytes 4t..4t+3 of a 16-byte chunk and uses them as the f16
     * fragment's k = 2t, 2t+1 (b0) and 2t+8, 2t+9 (b1), matching the natural order of FP16 activations.
     */
    public static byte[] fp8ForMma(int[] codes) {
        if (codes.length % 16 != 0) throw new IllegalArgumentException(codes.length + " FP8 codes: not whole 16-element groups");
        byte[] out = new byte[codes.length];
        for (int g = 0; g < codes.length; g += 16)
            for (int i = 0; i < 16; i++) out[g + i] = (byte) codes[g + FP8_ORDER[i]];
        return out;
    }

    /** The inverse of {@link #fp8ForMma}: codes 0..255 in natural order. */
    public static int[] fp8FromMma(byte[] laid) {
        if (laid.length % 16 != 0) throw new IllegalArgumentException(laid.length + " bytes: not whole 16-element groups");
        int[] out = new int[laid.length];
        for (int g = 0; g < laid.length; g += 16)
            for (int i = 0; i < 16; i++) out[g + FP8_ORDER[i]] = laid[g + i] & 0xff;
        return out;
    }

    private static void check(int len, int k, int c, int r, int s) {
        if ((long) k * c * r * s != len) throw new IllegalArgumentException(len + " weights, expected K*C*R*S = " + (long) k * c * r * s);
    }
}
