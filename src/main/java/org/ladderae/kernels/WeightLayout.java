package org.ladderae.kernels;

import org.ladderae.formats.BitPacking;

/**
 * Ladder's offline "Transform" for the GEMV kernels, and its inverse.
 *
 * <p>Plain layout: row n of W is K*bits/8 bytes, element k in byte k*bits/8 at bit (k % (8/bits))*bits.
 * Transformed layout: the same bytes per row, but inside every 32-bit word the slots (bit fields
 * s*bits ..) are permuted so that the fast decode of ladder_gemv.cu produces elements in the order the
 * activations arrive: slot s holds element {@link #slotElement} of that word. Rows stay contiguous, so a
 * lane's 16-byte load is one run of K and a warp's loads coalesce. MXFP8 exponents move from the
 * artifact's [K/32][N] to [N][K/32] so that a row's exponents sit next to each other.
 */
public final class WeightLayout {
    private WeightLayout() {}

    /** Element (inside its 32-bit word) stored in slot s; mirrors slot_elem() in ladder_gemv.cu. */
    public static int slotElement(WeightFormat w, ActFormat a, int s) {
        int bits = w.bits(), perWord = 32 / bits;
        if (s < 0 || s >= perWord) throw new IllegalArgumentException("slot " + s + " outside a word of " + perWord + " elements");
        if (bits >= 8 || w == WeightFormat.NF4) return s;             // prmt / cvt / byte LUT keep natural order
        if (a == ActFormat.FP16) return s < perWord / 2 ? 2 * s : 2 * (s - perWord / 2) + 1; // lop3 pairs (t, t+n/2)
        int g = 8 / bits, j = s / g, i = s % g;                        // byte j, bit group i
        if (a == ActFormat.INT8) return 4 * i + j;                     // group i feeds one dp4a
        return 8 * (i >> 1) + 2 * j + (i & 1);                         // INT4 acts: even / odd nibble bytes
    }

    /** Whether the transform permutes anything for this pair (identity for 8/16-bit formats and NF4). */
    public static boolean permutes(WeightFormat w, ActFormat a) {
        for (int s = 0; s < 32 / w.bits(); s++) if (slotElement(w, a, s) != s) return true;
        return false;
    }

    /** Plain packing of codes [N][K] (row-major, one code per element). */
    public static byte[] packPlain(int[] codes, WeightFormat w, int n, int k) {
        if ((long) n * k != codes.length) throw new IllegalArgumentException("expected " + (long) n * k + " codes, got " + codes.length);
        return BitPacking.pack(codes, w.bits());
    }

    public static int[] unpackPlain(byte[] packed, WeightFormat w, int n, int k) {
        return BitPacking.unpack(packed, w.bits(), n * k);
    }

    /** Plain bytes -> transformed bytes (a new array). K must be a multiple of the format's K unit. */
    public static byte[] transform(byte[] plain, WeightFormat w, ActFormat a, int n, int k) {
        return permuteWords(plain, w, a, n, k, false);
    }

    /** Transformed bytes -> plain bytes (a new array). */
    public static byte[] inverse(byte[] transformed, WeightFormat w, ActFormat a, int n, int k) {
        return permuteWords(transformed, w, a, n, k, true);
    }

    private static byte[] permuteWords(byte[] src, WeightFormat w, ActFormat a, int n, int k, boolean inverse) {
        GemvConfig.of(w, a, 1, GemvStage.TRANSFORM).validateShape(n, k);
        long bytes = (long) n * k * w.bits() / 8;
        if (src.length != bytes) throw new IllegalArgumentException("expected " + bytes + " weight bytes, got " + src.length);
        byte[] dst = src.clone();
        if (!permutes(w, a)) return dst;
        int bits = w.bits(), perWord = 32 / bits, mask = (1 << bits) - 1;
        int[] perm = new int[perWord];
        for (int s = 0; s < perWord; s++) perm[s] = slotElement(w, a, s);
        for (int off = 0; off < src.length; off += 4) {
            int word = (src[off] & 0xff) | (src[off + 1] & 0xff) << 8 | (src[off + 2] & 0xff) << 16 | (src[off + 3] & 0xff) << 24;
            int out = 0;
            for (int s = 0; s < perWord; s++) {
                if (inverse) out |= ((word >>> (s * bits)) & mask) << (perm[s] * bits);   // slot s -> element perm[s]
                else out |= ((word >>> (perm[s] * bits)) & mask) << (s * bits);           // element perm[s] -> slot s
            }
            dst[off] = (byte) out; dst[off + 1] = (byte) (out >>> 8); dst[off + 2] = (byte) (out >>> 16); dst[off + 3] = (byte) (out >>> 24);
        }
        return dst;
    }

    /** MXFP8 exponents: artifact layout [K/32][N] -> kernel layout [N][K/32]. */
    public static byte[] transformMxExponents(byte[] kMajor, int n, int k) { return transpose(kMajor, k / 32, n); }

    /** MXFP8 exponents: [N][K/32] -> [K/32][N]. */
    public static byte[] inverseMxExponents(byte[] nMajor, int n, int k) { return transpose(nMajor, n, k / 32); }

    private static byte[] transpose(byte[] src, int rows, int cols) {
        if (src.length != rows * cols) throw new IllegalArgumentException("expected " + rows * cols + " exponents, got " + src.length);
        byte[] dst = new byte[src.length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
        return dst;
    }

    /** K block of one tensor-core tile: each lane's 16 bytes cover (elements per 16 bytes) / 4 k16 steps. */
    public static int mmaKBlock(WeightFormat w) { return 4 * w.elementsPer16Bytes(); }

    /**
     * Layout of the tensor-core GEMV (ladder_gemv.cu with MMA=1): rows padded to a multiple of 8 with
     * zero codes; tiles of 8 rows x {@link #mmaKBlock} K, ordered [N/8][K/block]; in a tile, lane
     * 4n+q's 16 bytes hold, for each k16 step t, elements 16t + 2q + {0, 1, 8, 9} of row n (its mma
     * B fragment), then each 32-bit word is slot-permuted as for FP16 activations.
     */
    public static byte[] tileForMma(int[] codes, WeightFormat w, int n, int k) {
        int epc = w.elementsPer16Bytes(), kblk = mmaKBlock(w), n8 = (n + 7) / 8 * 8;
        if (k % kblk != 0) throw new IllegalArgumentException("K = " + k + " is not a multiple of the tensor-core K block " + kblk);
        int[] tiled = new int[n8 * k];
        int o = 0;
        for (int t8 = 0; t8 < n8 / 8; t8++)
            for (int kb = 0; kb < k / kblk; kb++)
                for (int lane = 0; lane < 32; lane++) {
                    int row = t8 * 8 + lane / 4, q = lane % 4;
                    for (int i = 0; i < epc; i++) {
                        int kk = kb * kblk + 16 * (i / 4) + 2 * q + (i % 4 & 1) + 8 * ((i % 4) >> 1);
                        tiled[o++] = row < n ? codes[row * k + kk] : 0;
                    }
                }
        return transform(BitPacking.pack(tiled, w.bits()), w, ActFormat.FP16, n8 * k / kblk, kblk);
    }

    /** The bytes a kernel of this stage reads as W, from codes [N][K]. */
    public static byte[] deviceWeights(int[] codes, GemvConfig cfg, int n, int k) {
        cfg.validateShape(n, k);
        if (cfg.launch().tensorCores()) return tileForMma(codes, cfg.weights(), n, k);
        byte[] plain = packPlain(codes, cfg.weights(), n, k);
        return cfg.stage().transformedLayout() ? transform(plain, cfg.weights(), cfg.acts(), n, k) : plain;
    }

    /** The bytes a kernel of this stage reads as aux (MXFP8 exponents), from exponents [N][K/32]. */
    public static byte[] deviceMxExponents(byte[] nMajor, GemvConfig cfg, int n, int k) {
        return cfg.stage().transformedLayout() ? nMajor.clone() : inverseMxExponents(nMajor, n, k);
    }

    /** Activations as the kernel reads them: FP16 codes little-endian, INT8 bytes, or INT4 nibbles two per byte. */
    public static byte[] deviceActivations(int[] codes, ActFormat a) {
        switch (a) {
            case FP16: return BitPacking.pack(codes, 16);
            case INT8: return BitPacking.pack(codes, 8);
            default: return BitPacking.pack(codes, 4);
        }
    }

    /**
     * Group scales and zero points as the GEMV kernels read them: per row, per group, one FP16 scale
     * (low half) and one FP16 zero point (high half) of a 32-bit word; [N][groups], little-endian.
     */
    public static byte[] deviceGroupParams(double[] scales, double[] zeros, int n, int groups) {
        if (scales.length != (long) n * groups || zeros.length != scales.length)
            throw new IllegalArgumentException("expected " + (long) n * groups + " scales and zeros, got " + scales.length + " and " + zeros.length);
        byte[] out = new byte[4 * scales.length];
        for (int i = 0; i < scales.length; i++) {
            int s = org.ladderae.formats.Fp16.INSTANCE.encode(scales[i]), z = org.ladderae.formats.Fp16.INSTANCE.encode(zeros[i]);
            out[4 * i] = (byte) s;
            out[4 * i + 1] = (byte) (s >>> 8);
            out[4 * i + 2] = (byte) z;
            out[4 * i + 3] = (byte) (z >>> 8);
        }
        return out;
    }
}
