package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The wgmma fragment order of ladder_gemm_wgmma_ws.cu ({@link GemmWeightLayout#wgmmaFragmentOrder}), read back the
 * way the kernel's lanes read it: lane (g, t) of warp w (16-row group n16) loads its 4*bits bytes of chunk
 * (kt, n16) and decodes, for k16 step s, the m64k16 A fragment a0 = (row g, k 2t, 2t+1), a1 = (row g+8, same k),
 * a2 = (row g, k 2t+8, 2t+9), a3 = (row g+8, same k). Every code must come back at its (row, k).
 */
class GemmWgmmaFragmentOrderTest {
    private static final int N = 48, K = 192;

    private static int[] codes(int max, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] c = new int[N * K];
        for (int i = 0; i < c.length; i++) c[i] = r.nextInt(max);
        return c;
    }

    private static int word(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    /** Decodes like the kernel: {@code pair(w, s, reg)} gives the two codes (low k, high k) of A register reg of step s. */
    private interface Lane { int[] pair(int[] words, int s, int reg); }

    private static int[] readBack(byte[] lay, int bits, Lane lane) {
        int lb = 4 * bits, wordsPerLane = lb / 4;
        int[] out = new int[N * K];
        Arrays.fill(out, -1);
        for (int kt = 0; kt < K / 64; kt++)
            for (int n16 = 0; n16 < N / 16; n16++)
                for (int l = 0; l < 32; l++) {
                    int g = l >> 2, t = l & 3, base = ((kt * (N / 16) + n16) * 32 + l) * lb;
                    int[] w = new int[wordsPerLane];
                    for (int i = 0; i < wordsPerLane; i++) w[i] = word(lay, base + 4 * i);
                    for (int s = 0; s < 4; s++)
                        for (int reg = 0; reg < 4; reg++) {
                            int row = 16 * n16 + g + ((reg & 1) == 1 ? 8 : 0);
                            int k = 64 * kt + 16 * s + 2 * t + (reg >= 2 ? 8 : 0);
                            int[] p = lane.pair(w, s, reg);
                            out[row * K + k] = p[0];
                            out[row * K + k + 1] = p[1];
                        }
                }
        return out;
    }

    @Test
    void int4LanesDecodeEveryCode() {
        int[] c = codes(16, 1);
        byte[] lay = GemmWeightLayout.wgmmaFragmentOrder(GemmWeightLayout.int4ForMma(c, N, K), N, K, 4);
        // word 2u + h (unit u = s / 2 of 32 K, row half h = reg & 1), >> 8 for odd steps; lop3 masks 0x000F000F / 0x00F000F0
        int[] back = readBack(lay, 4, (w, s, reg) -> {
            int x = w[2 * (s >> 1) + (reg & 1)] >>> (8 * (s & 1));
            int sh = reg >= 2 ? 4 : 0;
            return new int[] {(x >>> sh) & 15, (x >>> (16 + sh)) & 15};
        });
        assertThat(back).isEqualTo(c);
    }

    @Test
    void nf4LanesDecodeEveryCode() {
        int[] c = codes(16, 2);
        byte[] lay = GemmWeightLayout.wgmmaFragmentOrder(GemmWeightLayout.nf4ForMma(c, N, K), N, K, 4);
        // byte 2 (s & 1) + (reg >= 2) of word 2u + h is the half2 table index (low nibble = lower k)
        int[] back = readBack(lay, 4, (w, s, reg) -> {
            int by = (w[2 * (s >> 1) + (reg & 1)] >>> (8 * (2 * (s & 1) + (reg >= 2 ? 1 : 0)))) & 0xff;
            return new int[] {by & 15, by >> 4};
        });
        assertThat(back).isEqualTo(c);
    }

    @Test
    void fp8LanesDecodeEveryCode() {
        int[] c = codes(256, 3);
        byte[] lay = GemmWeightLayout.wgmmaFragmentOrder(GemmWeightLayout.bytePairsForMma(c, N, K), N, K, 8);
        // word 2s + h = [e(2t), e(2t+1), e(2t+8), e(2t+9)]: prmt 0x1404 (a0/a1) and 0x3424 (a2/a3)
        int[] back = readBack(lay, 8, (w, s, reg) -> {
            int x = w[2 * s + (reg & 1)] >>> (reg >= 2 ? 16 : 0);
            return new int[] {x & 0xff, (x >>> 8) & 0xff};
        });
        assertThat(back).isEqualTo(c);
    }

    @Test
    void aCtasWeightTileIsOneContiguousChunk() {
        // chunk (kt, n16) starts at ((kt * N/16) + n16) * 32 lanes * 16 bytes: 8 groups of 16 rows = one 4 KiB bulk copy
        int[] c = codes(16, 4);
        byte[] mma = GemmWeightLayout.int4ForMma(c, N, K);
        byte[] lay = GemmWeightLayout.wgmmaFragmentOrder(mma, N, K, 4);
        assertThat(lay).hasSize(mma.length);
        byte[] a = mma.clone(), b = lay.clone();
        Arrays.sort(a);
        Arrays.sort(b);
        assertThat(b).isEqualTo(a);   // a permutation of the same bytes
        // lane 0 of (kt 1, n16 2): first word = mma word 0 of row 32, K block 2 (bytes 32..35 of the row)
        int off = ((1 * (N / 16) + 2) * 32) * 16;
        assertThat(Arrays.copyOfRange(lay, off, off + 4)).isEqualTo(Arrays.copyOfRange(mma, 32 * (K / 2) + 32, 32 * (K / 2) + 36));
    }

    @Test
    void rejectsShapesTheKernelCannotTile() {
        assertThatThrownBy(() -> GemmWeightLayout.wgmmaFragmentOrder(new byte[8 * 64 / 2], 8, 64, 4)).hasMessageContaining("N % 16");
        assertThatThrownBy(() -> GemmWeightLayout.wgmmaFragmentOrder(new byte[16 * 64], 16, 64, 3)).hasMessageContaining("bits");
        assertThatThrownBy(() -> GemmWeightLayout.wgmmaFragmentOrder(new byte[16 * 64 / 2], 16, 64, 4, 128)).hasMessageContaining("K % 128");
    }
}
