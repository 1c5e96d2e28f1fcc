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

    /**
     * One of the bit-field layouts of the Figure 14 weight formats: per block of {@link #kBlock} K elements of a row,
     * {@code kBlock * bits / 8} bytes read as a little-endian bit stream; field p (bits {@code p*bits ..}) holds
     * element {@link #element}(p) of the block. Each layout puts in one 32-bit word (16-bit halfword for INT1 with
     * FP16 activations) of lane t exactly the codes its mma B fragments need, at the bit positions its decode takes them
     * from (ladder_gemm.cu's header describes each). Codes are unsigned, 0 .. 2^bits - 1.
     */
    public enum FieldLayout {
        /** INT2 weights, FP16 activations (LADDER_FMT 10): word t, half h, field j = e(16(j>>1) + 2t + 8(j&1) + h). */
        INT2_FP16_ACTS(2, 64) {
            @Override public int element(int p) { return halfPairElement(p / 16, p % 16); }
        },
        /** INT1 weights, FP16 activations (LADDER_FMT 11): halfword t, byte h, bit j = e(16(j>>1) + 2t + 8(j&1) + h). */
        INT1_FP16_ACTS(1, 64) {
            @Override public int element(int p) { return halfPairElement(p / 16, p % 16); }
        },
        /** INT4 weights, INT8 activations (LADDER_FMT 12): word t, byte i = e(4t+i) | e(16+4t+i) << 4. */
        INT4_INT8_ACTS(4, 32) {
            @Override public int element(int p) { return 4 * (p / 8) + (p % 8) / 2 + 16 * (p % 2); }
        },
        /** INT2 weights, INT8 activations (LADDER_FMT 13): word t, byte i, field q = e(32(q>>1) + 16(q&1) + 4t + i). */
        INT2_INT8_ACTS(2, 64) {
            @Override public int element(int p) {
                int t = p / 16, i = (p % 16) / 4, q = p % 4;
                return 32 * (q >> 1) + 16 * (q & 1) + 4 * t + i;
            }
        },
        /** INT4 weights, INT4 activations (LADDER_FMT 14): the natural packing, nibble j of word t = e(8t+j). */
        INT4_INT4_ACTS(4, 32) {
            @Override public int element(int p) { return p; }
        },
        /** INT2 weights, INT4 activations (LADDER_FMT 15): word t, byte i, field q = e(32(q>>1) + 8t + 2i + (q&1)). */
        INT2_INT4_ACTS(2, 64) {
            @Override public int element(int p) {
                int t = p / 16, i = (p % 16) / 4, q = p % 4;
                return 32 * (q >> 1) + 8 * t + 2 * i + (q & 1);
            }
        },
        /** INT1 weights, INT4 activations (LADDER_FMT 16): word t, byte s, bit i = e(32s+8t+2i), bit 4+i = e(32s+8t+2i+1). */
        INT1_INT4_ACTS(1, 128) {
            @Override public int element(int p) {
                int t = p / 32, s = (p % 32) / 8, b = p % 8;
                return 32 * s + 8 * t + 2 * (b % 4) + b / 4;
            }
        };

        private final int bits, kBlock;

        FieldLayout(int bits, int kBlock) {
            this.bits = bits;
            this.kBlock = kBlock;
        }

        public int bits() { return bits; }

        /** K elements per block of the layout. */
        public int kBlock() { return kBlock; }

        /** Offset, inside its block, of the element that field {@code p} (0 .. kBlock-1) holds. */
        public abstract int element(int p);

        /** Codes [N][K] (0 .. 2^bits - 1, row-major) -> W (N x K*bits/8) in this layout. */
        public byte[] pack(int[] codes, int n, int k) {
            checkShape(codes, n, k, kBlock);
            int rowBytes = k / 8 * bits, max = (1 << bits) - 1;
            byte[] out = new byte[n * rowBytes];
            for (int row = 0; row < n; row++)
                for (int b = 0; b < k; b += kBlock)
                    for (int p = 0; p < kBlock; p++) {
                        int at = row * k + b + element(p), c = codes[at];
                        if (c < 0 || c > max) throw new IllegalArgumentException("INT" + bits + " code " + c + " at " + at + " is outside 0.." + max);
                        int bit = p * bits;
                        out[row * rowBytes + b / 8 * bits + bit / 8] |= (byte) (c << (bit % 8));
                    }
            return out;
        }

        /** Field j of half h of 16-bit unit t (FP16-activation layouts): B register j&1 of k16 step j>>1, element h of its pair. */
        private static int halfPairElement(int t, int f) {
            int h = f / 8, j = f % 8;
            return 16 * (j >> 1) + 2 * t + 8 * (j & 1) + h;
        }
    }

    /** The layout of {@code weights} the mma.sync kernel with {@code acts} reads (the formats of {@link GemmConfig.Format}). */
    public static byte[] forMma(GemmConfig.Format weights, GemmConfig.Format acts, int[] codes, int n, int k) {
        return switch (acts) {
            case FP16 -> switch (weights) {
                case INT4 -> int4ForMma(codes, n, k);
                case NF4 -> nf4ForMma(codes, n, k);
                case INT8, FP8_E5M2 -> bytePairsForMma(unsignedBytes(codes, weights), n, k);
                case INT2 -> FieldLayout.INT2_FP16_ACTS.pack(codes, n, k);
                case INT1 -> FieldLayout.INT1_FP16_ACTS.pack(codes, n, k);
                default -> throw new IllegalArgumentException("no FP16-activation layout for W_" + weights);
            };
            case INT8 -> switch (weights) {
                case INT4 -> FieldLayout.INT4_INT8_ACTS.pack(codes, n, k);
                case INT2 -> FieldLayout.INT2_INT8_ACTS.pack(codes, n, k);
                case INT1 -> int1ForMma(codes, n, k);
                default -> throw new IllegalArgumentException("no INT8-activation layout for W_" + weights);
            };
            case INT4 -> switch (weights) {
                case INT4 -> FieldLayout.INT4_INT4_ACTS.pack(codes, n, k);
                case INT2 -> FieldLayout.INT2_INT4_ACTS.pack(codes, n, k);
                case INT1 -> FieldLayout.INT1_INT4_ACTS.pack(codes, n, k);
                default -> throw new IllegalArgumentException("no INT4-activation layout for W_" + weights);
            };
            default -> throw new IllegalArgumentException("no packed layout for activations " + acts);
        };
    }

    /** 8-bit codes checked to be bytes (unsigned INT8 weights 0..255 with FP16 activations, or FP8 codes). */
    private static int[] unsignedBytes(int[] codes, GemmConfig.Format f) {
        for (int i = 0; i < codes.length; i++)
            if (codes[i] < 0 || codes[i] > 255) throw new IllegalArgumentException(f + " code " + codes[i] + " at " + i + " is outside 0..255");
        return codes;
    }

    /**
     * INT4 activations [M][K] (signed, -8..7) -> A (M x K/2) as the kernels read it: byte j = e(2j) | e(2j+1) << 4 in
     * two's-complement nibbles, the GEMV kernels' packing ({@link WeightLayout#deviceActivations}).
     */
    public static byte[] int4Activations(int[] values) {
        for (int i = 0; i < values.length; i++)
            if (values[i] < -8 || values[i] > 7) throw new IllegalArgumentException("INT4 activation " + values[i] + " at " + i + " is outside -8..7");
        return org.ladderae.formats.BitPacking.pack(values, 4);
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
    public static byte[] wgmmaFragmentOrder(byte[] mma, int n, int k, int bits) { return wgmmaFragmentOrder(mma, n, k, bits, 64); }

    /**
     * {@link #wgmmaFragmentOrder(byte[], int, int, int)} for any mma layout of {@link #forMma} (bits 1, 2, 4 or 8) and
     * k tile ({@code kTile} = 64 K elements with FP16 activations, 128 with INT8 ones). A row has R = kTile * bits / 8
     * bytes per k tile, in units of 4 q bytes with q = min(4, R / 4): lane t's piece of each unit is bytes [q t, q t + q)
     * (the mma layouts give lane t word t of every 16-byte unit, and halfword t of the 8-byte rows of INT1 with FP16
     * activations). Lane (g, t) holds, for each unit, its piece of row g and then of row g + 8 (LB = 2 R / 4 bytes), and
     * chunk (kt, n16) lies at byte {@code ((kt * N/16) + n16) * 32 * LB}.
     */
    public static byte[] wgmmaFragmentOrder(byte[] mma, int n, int k, int bits, int kTile) {
        if (bits != 1 && bits != 2 && bits != 4 && bits != 8) throw new IllegalArgumentException("bits must be 1, 2, 4 or 8: " + bits);
        if (kTile != 64 && kTile != 128) throw new IllegalArgumentException("k tile must be 64 or 128: " + kTile);
        if (n % 16 != 0 || k % kTile != 0) throw new IllegalArgumentException("N % 16 and K % " + kTile + " must be 0: " + n + "x" + k);
        if ((long) n * k * bits / 8 != mma.length) throw new IllegalArgumentException("expected " + (long) n * k * bits / 8 + " bytes, got " + mma.length);
        int tileRowBytes = kTile * bits / 8, q = Math.min(4, tileRowBytes / 4), units = tileRowBytes / (4 * q), rowBytes = k * bits / 8;
        byte[] out = new byte[mma.length];
        int o = 0;
        for (int kt = 0; kt < k / kTile; kt++)
            for (int n16 = 0; n16 < n / 16; n16++)
                for (int g = 0; g < 8; g++)
                    for (int t = 0; t < 4; t++)
                        for (int u = 0; u < units; u++)
                            for (int h = 0; h < 2; h++) {
                                int row = 16 * n16 + g + 8 * h;
                                int src = row * rowBytes + kt * tileRowBytes + u * 4 * q + q * t;
                                System.arraycopy(mma, src, out, o, q);
                                o += q;
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
