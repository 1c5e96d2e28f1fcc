package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ladderae.kernels.GemmConfig.Format;

/**
 * The register decodes of ladder_gemm_wgmma_ws.cu for WS_W 7-12 (INT8/INT2/INT1 weights x FP16, INT4/INT2/INT1 weights
 * x INT8), emulated lane by lane on the bytes {@link GemmProblem#deviceWeights(GemmConfig.Path)} gives the TMA kernel:
 * lane (g, t) of 16-row group n16 reads its LB bytes of chunk (kt, n16) and decode_tile's masks, shifts and prmt
 * produce, for step s, the wgmma A registers a0 (row g), a1 (row g+8), a2 (row g, k + 8 | + 16), a3 (row g+8): m64k16
 * f16 (a_i = codes at k = 16s + 2t + {0, 1}, + 8 for a2/a3) or m64k32 s8 (a_i = bytes at k = 32s + 4t + {0..3}, + 16
 * for a2/a3). Every code must come back at its (row, k); a wrong layout or decode leaves -1s or wrong codes.
 * (scripts/dev/wgmma_ws_layout_emu.py is the numpy twin; the kernels passed the H100 checks of GEMM-NOTES "wgmma v3".)
 */
class GemmWgmmaRegisterDecodeTest {
    private static final int N = 48, K = 512;

    private static int word(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    /** PTX prmt (default mode): byte i of the result is byte sel[i] of {b, a} (a = bytes 0-3). */
    private static int prmt(int a, int b, int sel) {
        long ab = (a & 0xFFFFFFFFL) | (b & 0xFFFFFFFFL) << 32;
        int r = 0;
        for (int i = 0; i < 4; i++) r |= (int) ((ab >>> (8 * ((sel >> (4 * i)) & 7))) & 0xFF) << (8 * i);
        return r;
    }

    /** ws_half_field_pair<BITS, J>: field J of both halves (the magic-number halves hold exactly these codes). */
    private static int[] fieldPair(int w, int bits, int j) {
        int mask = (1 << bits) - 1;
        return new int[] {(w >>> (bits * j)) & mask, (w >>> (16 + bits * j)) & mask};
    }

    /** ws_u8_pair_to_half2: bytes 0/1 (sel 0x4140) or 2/3 (0x4342) as the mantissas of two halves of 1024. */
    private static int[] bytePair(int w, int sel) {
        int h = prmt(w, 0x64646464, sel);
        return new int[] {(h & 0xFFFF) - 0x6400, (h >>> 16) - 0x6400};
    }

    private static int[] bytes(int r) { return new int[] {r & 0xFF, (r >>> 8) & 0xFF, (r >>> 16) & 0xFF, r >>> 24}; }

    private static int unpack1(int x) { return (x * 0x00204081) & 0x01010101; }

    /** decode_tile of WS_W: the 16 registers of one k tile, each as its 2 (f16) or 4 (s8) codes, f[4 s + i] = a_i of step s. */
    private static int[][] decodeTile(Format w, Format a, int[] v) {
        int[][] f = new int[16][];
        for (int s = 0; s < 4; s++) {
            if (a == Format.FP16 && w == Format.INT8) {
                f[4 * s] = bytePair(v[2 * s], 0x4140);
                f[4 * s + 2] = bytePair(v[2 * s], 0x4342);
                f[4 * s + 1] = bytePair(v[2 * s + 1], 0x4140);
                f[4 * s + 3] = bytePair(v[2 * s + 1], 0x4342);
            } else if (a == Format.FP16 && w == Format.INT2) {
                int w0 = s >= 2 ? v[0] >>> 8 : v[0], w1 = s >= 2 ? v[1] >>> 8 : v[1], j = 2 * (s & 1);
                f[4 * s] = fieldPair(w0, 2, j);
                f[4 * s + 2] = fieldPair(w0, 2, j + 1);
                f[4 * s + 1] = fieldPair(w1, 2, j);
                f[4 * s + 3] = fieldPair(w1, 2, j + 1);
            } else if (a == Format.FP16 && w == Format.INT1) {
                int lo = prmt(v[0], 0, 0x4140), hi = prmt(v[0], 0, 0x4342);
                f[4 * s] = fieldPair(lo, 1, 2 * s);
                f[4 * s + 2] = fieldPair(lo, 1, 2 * s + 1);
                f[4 * s + 1] = fieldPair(hi, 1, 2 * s);
                f[4 * s + 3] = fieldPair(hi, 1, 2 * s + 1);
            } else if (w == Format.INT4) {
                f[4 * s] = bytes(v[2 * s] & 0x0F0F0F0F);
                f[4 * s + 2] = bytes((v[2 * s] >>> 4) & 0x0F0F0F0F);
                f[4 * s + 1] = bytes(v[2 * s + 1] & 0x0F0F0F0F);
                f[4 * s + 3] = bytes((v[2 * s + 1] >>> 4) & 0x0F0F0F0F);
            } else if (w == Format.INT2) {
                int lo = v[2 * (s >> 1)], hi = v[2 * (s >> 1) + 1], sh = 4 * (s & 1);
                f[4 * s] = bytes((lo >>> sh) & 0x03030303);
                f[4 * s + 2] = bytes((lo >>> (sh + 2)) & 0x03030303);
                f[4 * s + 1] = bytes((hi >>> sh) & 0x03030303);
                f[4 * s + 3] = bytes((hi >>> (sh + 2)) & 0x03030303);
            } else {   // INT1 x INT8
                f[4 * s] = bytes(unpack1((v[0] >>> (8 * s)) & 0xF));
                f[4 * s + 2] = bytes(unpack1((v[0] >>> (8 * s + 4)) & 0xF));
                f[4 * s + 1] = bytes(unpack1((v[1] >>> (8 * s)) & 0xF));
                f[4 * s + 3] = bytes(unpack1((v[1] >>> (8 * s + 4)) & 0xF));
            }
        }
        return f;
    }

    private static int[] readBack(Format w, Format a, byte[] lay) {
        int bk = a == Format.FP16 ? 64 : 128, lb = 2 * bk * w.bits() / 8 / 4;
        int[] out = new int[N * K];
        Arrays.fill(out, -1);
        for (int kt = 0; kt < K / bk; kt++)
            for (int n16 = 0; n16 < N / 16; n16++)
                for (int l = 0; l < 32; l++) {
                    int g = l >> 2, t = l & 3, base = ((kt * (N / 16) + n16) * 32 + l) * lb;
                    int[] v = new int[Math.max(1, lb / 4)];
                    for (int i = 0; i < v.length; i++) v[i] = word(lay, base + 4 * i);
                    int[][] f = decodeTile(w, a, v);
                    for (int s = 0; s < 4; s++)
                        for (int i = 0; i < 4; i++) {
                            int row = 16 * n16 + g + 8 * (i & 1);
                            int k = a == Format.FP16 ? 64 * kt + 16 * s + 2 * t + 8 * (i >> 1) : 128 * kt + 32 * s + 4 * t + 16 * (i >> 1);
                            int[] c = f[4 * s + i];
                            for (int e = 0; e < c.length; e++) out[row * K + k + e] = c[e];
                        }
                }
        return out;
    }

    private static void check(Format w, Format a) {
        GemmProblem p = GemmProblem.random(w, a, 1, N, K, 11 + w.ordinal());
        byte[] lay = p.deviceWeights(GemmConfig.Path.WGMMA_TMA);
        assertThat(lay).hasSize(N * K * w.bits() / 8);
        int[] back = readBack(w, a, lay);
        assertThat(back).as("W_%sA_%s", w, a).isEqualTo(p.weightCodes());
        // the codes use their whole range (a decode that drops a bit would still fail above, this keeps the test honest)
        assertThat(Arrays.stream(p.weightCodes()).max().getAsInt()).isEqualTo((1 << w.bits()) - 1);
    }

    @Test
    void int8WeightsWithFp16Activations() { check(Format.INT8, Format.FP16); }

    @Test
    void int2WeightsWithFp16Activations() { check(Format.INT2, Format.FP16); }

    @Test
    void int1WeightsWithFp16Activations() { check(Format.INT1, Format.FP16); }

    @Test
    void int4WeightsWithInt8Activations() { check(Format.INT4, Format.INT8); }

    @Test
    void int2WeightsWithInt8Activations() { check(Format.INT2, Format.INT8); }

    @Test
    void int1WeightsWithInt8Activations() { check(Format.INT1, Format.INT8); }

    @Test
    void theOldFourArgumentOrderIsTheFp16ActivationOne() {
        int[] c = new int[N * K];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < c.length; i++) c[i] = r.nextInt(4);
        byte[] mma = GemmWeightLayout.FieldLayout.INT2_FP16_ACTS.pack(c, N, K);
        assertThat(GemmWeightLayout.wgmmaFragmentOrder(mma, N, K, 2)).isEqualTo(GemmWeightLayout.wgmmaFragmentOrder(mma, N, K, 2, 64));
        assertThat(GemmWeightLayout.wgmmaFragmentOrder(mma, N, K, 2, 128)).isNotEqualTo(GemmWeightLayout.wgmmaFragmentOrder(mma, N, K, 2, 64));
    }
}
