package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The INT4 GEMM weight layout against the definition in scripts/dev/gemm_check.py and ladder_gemm.cu:
 * per 32-element block, word t holds nibbles [e(2t), e(2t+8), e(2t+16), e(2t+24), e(2t+1), e(2t+9),
 * e(2t+17), e(2t+25)], n0 in bits 0..3 of the little-endian word.
 */
class GemmWeightLayoutTest {
    /** Python's _WORD_SRC, written out by hand from the comment in gemm_check.py. */
    private static final int[][] WORD_SRC = {
            {0, 8, 16, 24, 1, 9, 17, 25}, {2, 10, 18, 26, 3, 11, 19, 27}, {4, 12, 20, 28, 5, 13, 21, 29}, {6, 14, 22, 30, 7, 15, 23, 31}};

    @Test
    void nibbleElementIsPythonsWordSource() {
        for (int t = 0; t < 4; t++) for (int i = 0; i < 8; i++) assertThat(GemmWeightLayout.nibbleElement(t, i)).isEqualTo(WORD_SRC[t][i]);
    }

    @Test
    void handCheckedBytesOfOneBlock() {
        // e(k) = k for k < 16, e(k) = 31 - k for k >= 16, so every byte's two nibbles are identifiable.
        int[] codes = new int[32];
        for (int k = 0; k < 32; k++) codes[k] = k < 16 ? k : 31 - k;
        byte[] b = GemmWeightLayout.int4ForMma(codes, 1, 32);
        assertThat(b).hasSize(16);
        // byte 0 = word 0 nibbles 0,1 = e0 | e8 << 4 = 0x80; byte 1 = e16 | e24 << 4 = 15 | 7 << 4 = 0x7F
        assertThat(b[0] & 0xff).isEqualTo(0x80);
        assertThat(b[1] & 0xff).isEqualTo(0x7F);
        // byte 2 = e1 | e9 << 4 = 0x91; byte 3 = e17 | e25 << 4 = 14 | 6 << 4 = 0x6E
        assertThat(b[2] & 0xff).isEqualTo(0x91);
        assertThat(b[3] & 0xff).isEqualTo(0x6E);
        // byte 4 (word 1) = e2 | e10 << 4 = 0xA2; byte 15 (word 3, nibbles 6,7) = e23 | e31 << 4 = 8 | 0 << 4 = 0x08
        assertThat(b[4] & 0xff).isEqualTo(0xA2);
        assertThat(b[15] & 0xff).isEqualTo(0x08);
    }

    @Test
    void decodesBackTheWayTheKernelReadsIt() {
        // Port of self_test_packing(): word t of block blk, nibble i -> element blk*32 + WORD_SRC[t][i].
        int n = 8, k = 128;
        SplittableRandom rnd = new SplittableRandom(1);
        int[] codes = new int[n * k];
        for (int i = 0; i < codes.length; i++) codes[i] = rnd.nextInt(16);
        byte[] lad = GemmWeightLayout.int4ForMma(codes, n, k);
        int[] decoded = new int[n * k];
        for (int r = 0; r < n; r++)
            for (int blk = 0; blk < k / 32; blk++)
                for (int t = 0; t < 4; t++) {
                    int off = r * (k / 2) + blk * 16 + 4 * t;
                    int word = (lad[off] & 0xff) | (lad[off + 1] & 0xff) << 8 | (lad[off + 2] & 0xff) << 16 | (lad[off + 3] & 0xff) << 24;
                    for (int i = 0; i < 8; i++) decoded[r * k + blk * 32 + WORD_SRC[t][i]] = (word >>> (4 * i)) & 15;
                }
        assertThat(decoded).containsExactly(codes);
    }

    @Test
    void kernelFragmentPairsComeFromOneWord() {
        // Lane t's B fragment of k16 step 0 is (e(2t), e(2t+1)) = nibbles (n0, n4); of step 1 (n2, n6) = (e(2t+16), e(2t+17)).
        for (int t = 0; t < 4; t++) {
            assertThat(GemmWeightLayout.nibbleElement(t, 0) + 1).isEqualTo(GemmWeightLayout.nibbleElement(t, 4));
            assertThat(GemmWeightLayout.nibbleElement(t, 2)).isEqualTo(2 * t + 16);
            assertThat(GemmWeightLayout.nibbleElement(t, 1)).isEqualTo(2 * t + 8);
        }
    }

    @Test
    void rejectsBadShapesAndCodes() {
        assertThatThrownBy(() -> GemmWeightLayout.int4ForMma(new int[48], 1, 48)).hasMessageContaining("multiple of 32");
        assertThatThrownBy(() -> GemmWeightLayout.int4ForMma(new int[32], 2, 32)).hasMessageContaining("expected 64 codes");
        int[] bad = new int[32];
        bad[5] = 16;
        assertThatThrownBy(() -> GemmWeightLayout.int4ForMma(bad, 1, 32)).hasMessageContaining("outside 0..15");
    }
}
