package org.ladderae.kernels;

/**
 * Ladder's offline layout transforms of the packed GEMM weights (ladder_gemm.cu's header has the same
 * description); INT4 is the Java twin of {@code ladder_layout_from_natural} in scripts/dev/gemm_check.py.
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

    /** Element (offset in its 32-element block) that nibble {@code i} of word {@code t} holds in the NF4 layout: byte i/2 is one B register's pair. */
    public static int nf4NibbleElement(int t, int i) {
        if (t < 0 || t > 3 || i < 0 || i > 7) throw new IllegalArgumentException("word " + t + " nibble " + i + " outside a 16-byte block");
        return 2 * t + (i & 1) + 8 * (i >> 1);
    }

    /** NF4 codes [N][K] (0..15) -> W (N x K/2) in the NF4 pair layout (LADDER_FMT=3). */
    public static byte[] nf4ForMma(int[] codes, int n, int k) { return nibbles(codes, n, k, GemmWeightLayout::nf4NibbleElement); }

    /**
     * 8-bit codes [N][K] -> W (N x K) for the FP16-activation kernel (LADDER_FMT=4): per 16 K elements, word t =
     * bytes [e(2t), e(2t+1), e(2t+8), e(2t+9)], lane t's two B registers of one k16 step.
     */
    public static byte[] bytePairsForMma(int[] codes, int n, int k) {
        checkShape(codes, n, k, 16);
        byte[] out = new byte[n * k];
        for (int row = 0; row < n; row++)
            for (int b = 0; b < k; b += 16)
                for (int t = 0; t < 4; t++) {
                    int src = row * k + b, dst = row * k + b + 4 * t;
                    out[dst] = (byte) codes[src + 2 * t];
                    out[dst + 1] = (byte) codes[src + 2 * t + 1];
                    out[dst + 2] = (byte) codes[src + 2 * t + 8];
                    out[dst + 3] = (byte) codes[src + 2 * t + 9];
                }
        return out;
    }

    /**
     * INT1 codes [N][K] (0/1) -> W (N x K/8) for the INT8-activation kernel (LADDER_FMT=5): per 128 K elements 16
     * bytes; byte s of word t has bit i = e(32s+4t+i) and bit 4+i = e(32s+16+4t+i), the s8 B registers of k32 step s.
     */
    public static byte[] int1ForMma(int[] codes, int n, int k) {
        checkShape(codes, n, k, 128);
        byte[] out = new byte[n * (k / 8)];
        for (int row = 0; row < n; row++)
            for (int b = 0; b < k; b += 128)
                for (int t = 0; t < 4; t++)
                    for (int s = 0; s < 4; s++) {
                        int src = row * k + b + 32 * s + 4 * t, v = 0;
                        for (int i = 0; i < 4; i++) v |= bit(codes, src + i) << i | bit(codes, src + 16 + i) << (4 + i);
                        out[row * (k / 8) + b / 8 + 4 * t + s] = (byte) v;
                    }
        return out;
    }

    private static int bit(int[] codes, int i) {
        int c = codes[i];
        if (c != 0 && c != 1) throw new IllegalArgumentException("INT1 code " + c + " at " + i + " is not 0 or 1");
        return c;
    }

    private static void checkShape(int[] codes, int n, int k, int kUnit) {
        if ((long) n * k != codes.length) throw new IllegalArgumentException("expected " + (long) n * k + " codes, got " + codes.length);
        if (k % kUnit != 0) throw new IllegalArgumentException("K = " + k + " is not a multiple of " + kUnit);
    }

    /**
     * The "wgmma fragment order" of ladder_gemm_wgmma_ws.cu (C^T = W . A^T with the decoded weights as wgmma's
     * register A operand): a permutation of the 4-byte words of an mma layout ({@link #int4ForMma}, {@link #nf4ForMma}
     * or {@link #bytePairsForMma}, {@code bits} = 4 or 8). Chunk (k tile kt of 64 K, 16-row group n16) holds
     * 32 lanes x 4*bits bytes at byte {@code ((kt * N/16) + n16) * 128 * bits}; lane (g, t) = 4g + t holds, for each
     * K unit u of the tile (32 elements for 4-bit, 16 for 8-bit), the mma-layout word t of row 16 n16 + g and then
     * of row 16 n16 + g + 8: the lane's m64k16 A fragments of all four k16 steps, read with one or two 16-byte loads,
     * and every 16-row group's k tile is contiguous, so a CTA's weight tile is one bulk copy.
     */
    public static byte[] wgmmaFragmentOrder(byte[] mma, int n, int k, int bits) {
        if (bits != 4 && bits != 8) throw new IllegalArgumentException("bits must be 4 or 8: " + bits);
        if (n % 16 != 0 || k % 64 != 0) throw new IllegalArgumentException("N % 16 and K % 64 must be 0: " + n + "x" + k);
        if ((long) n * k * bits / 8 != mma.length) throw new IllegalArgumentException("expected " + (long) n * k * bits / 8 + " bytes, got " + mma.length);
        int units = 64 * bits / 128, rowBytes = k * bits / 8, unitBytes = 16;
        byte[] out = new byte[mma.length];
        int o = 0;
        for (int kt = 0; kt < k / 64; kt++)
            for (int n16 = 0; n16 < n / 16; n16++)
                for (int g = 0; g < 8; g++)
                    for (int t = 0; t < 4; t++)
                        for (int u = 0; u < units; u++)
                            for (int h = 0; h < 2; h++) {
                                int row = 16 * n16 + g + 8 * h;
                                int src = row * rowBytes + (kt * units + u) * unitBytes + 4 * t;
                                System.arraycopy(mma, src, out, o, 4);
                                o += 4;
                            }
        return out;
    }

    /** Codes [N][K] (0..15, row-major) -> the bytes the kernel reads as W (N x K/2). */
    public static byte[] int4ForMma(int[] codes, int n, int k) { return nibbles(codes, n, k, GemmWeightLayout::nibbleElement); }

    private static byte[] nibbles(int[] codes, int n, int k, java.util.function.IntBinaryOperator element) {
        checkShape(codes, n, k, K_BLOCK);
        byte[] out = new byte[n * (k / 2)];
        for (int row = 0; row < n; row++)
            for (int b = 0; b < k; b += K_BLOCK) {
                int src = row * k + b, dst = row * (k / 2) + b / 2;
                for (int t = 0; t < 4; t++)
                    for (int byteInWord = 0; byteInWord < 4; byteInWord++) {
                        int lo = code(codes, src + element.applyAsInt(t, 2 * byteInWord));
                        int hi = code(codes, src + element.applyAsInt(t, 2 * byteInWord + 1));
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
