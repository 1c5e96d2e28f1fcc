package org.ladderae.kernels;

/**
 * Ladder's offline layout transform for the INT4 GEMM weights (ladder_gemm.cu with LADDER_FMT=1),
 * the Java twin of {@code ladder_layout_from_natural} in scripts/dev/gemm_check.py.
 *
 * <p>W is N x K unsigned 4-bit codes, K/2 bytes per row. Each block of 32 K elements of a row is
 * 16 bytes = four little-endian 32-bit words; word t holds the nibbles (n0 in bits 0..3)
 * {@code [e(2t), e(2t+8), e(2t+16), e(2t+24), e(2t+1), e(2t+9), e(2t+17), e(2t+25)]}, so that mma lane
 * (g, t) decodes one word into its B fragments of two k16 steps: {@code (n0, n4)} = (e(2t), e(2t+1)),
 * {@code (n1, n5)} = (e(2t+8), e(2t+9)), and {@code w >> 8} the same for k + 16.
 */
public final class GemmWeightLayout {
    /** K elements per block of the layout (16 bytes). */
    public static final int K_BLOCK = 32;

    private GemmWeightLayout() {}

    /** Element (offset in its 32-element block) that nibble {@code i} of word {@code t} holds. */
    public static int nibbleElement(int t, int i) {
        if (t < 0 || t > 3 || i < 0 || i > 7) throw new IllegalArgumentException("word " + t + " nibble " + i + " outside a 16-byte block");
        return 2 * t + (i >= 4 ? 1 : 0) + 8 * (i % 4);
    }

    /** Codes [N][K] (0..15, row-major) -> the bytes the kernel reads as W (N x K/2). */
    public static byte[] int4ForMma(int[] codes, int n, int k) {
        if ((long) n * k != codes.length) throw new IllegalArgumentException("expected " + (long) n * k + " codes, got " + codes.length);
        if (k % K_BLOCK != 0) throw new IllegalArgumentException("K = " + k + " is not a multiple of " + K_BLOCK);
        byte[] out = new byte[n * (k / 2)];
        for (int row = 0; row < n; row++)
            for (int b = 0; b < k; b += K_BLOCK) {
                int src = row * k + b, dst = row * (k / 2) + b / 2;
                for (int t = 0; t < 4; t++)
                    for (int byteInWord = 0; byteInWord < 4; byteInWord++) {
                        int lo = code(codes, src + nibbleElement(t, 2 * byteInWord));
                        int hi = code(codes, src + nibbleElement(t, 2 * byteInWord + 1));
                        out[dst + 4 * t + byteInWord] = (byte) (lo | hi << 4);
                    }
            }
        return out;
    }

    private static int code(int[] codes, int i) {
        int c = codes[i];
        if (c < 0 || c > 15) throw new IllegalArgumentException("INT4 code " + c + " at " + i + " is outside 0..15");
        return c;
    }
}
