package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The NF4, 8-bit-pair and INT1 GEMM weight layouts, read back exactly as ladder_gemm.cu's lanes read them: lane
 * (g, t) of an mma needs, per k16 step (FP16 activations), B registers (e(2t), e(2t+1)) and (e(2t+8), e(2t+9)), and
 * per k32 step (8-bit activations) the s8 bytes e(4t..4t+3) and e(16+4t..16+4t+3).
 */
class GemmFragmentLayoutsTest {
    private static int[] codes(int count, int bound, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] c = new int[count];
        for (int i = 0; i < c.length; i++) c[i] = rnd.nextInt(bound);
        return c;
    }

    private static int word(byte[] b, int offset) {
        return (b[offset] & 0xff) | (b[offset + 1] & 0xff) << 8 | (b[offset + 2] & 0xff) << 16 | (b[offset + 3] & 0xff) << 24;
    }

    @Test
    void nf4WordsHoldOneRegisterPairPerByte() {
        int n = 3, k = 64;
        int[] c = codes(n * k, 16, 7);
        byte[] lay = GemmWeightLayout.nf4ForMma(c, n, k);
        assertThat(lay).hasSize(n * k / 2);
        for (int row = 0; row < n; row++)
            for (int kp = 0; kp < k / 32; kp++)   // one 32-K block = 16 bytes per k-step pair
                for (int t = 0; t < 4; t++) {
                    int w = word(lay, row * k / 2 + kp * 16 + 4 * t);
                    for (int kh = 0; kh < 2; kh++) {
                        int base = row * k + kp * 32 + kh * 16;
                        int b0 = (w >>> (16 * kh)) & 0xff, b1 = (w >>> (16 * kh + 8)) & 0xff;   // the kernel's two table indices
                        assertThat(new int[] {b0 & 15, b0 >> 4, b1 & 15, b1 >> 4})
                                .containsExactly(c[base + 2 * t], c[base + 2 * t + 1], c[base + 2 * t + 8], c[base + 2 * t + 9]);
                    }
                }
    }

    @Test
    void bytePairWordsAreOneK16StepOfALane() {
        int n = 2, k = 64;
        int[] c = codes(n * k, 256, 8);
        byte[] lay = GemmWeightLayout.bytePairsForMma(c, n, k);
        for (int row = 0; row < n; row++)
            for (int ks = 0; ks < k / 16; ks++)
                for (int t = 0; t < 4; t++) {
                    int w = word(lay, row * k + ks * 16 + 4 * t), base = row * k + ks * 16;
                    // prmt 0x1404 / 0x3424 take bytes 0,1 and 2,3 into the high bytes of two halves
                    assertThat(new int[] {w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24})
                            .containsExactly(c[base + 2 * t], c[base + 2 * t + 1], c[base + 2 * t + 8], c[base + 2 * t + 9]);
                }
    }

    /** unpack_u1x4_to_s8x4 of ladder_gemm.cu. */
    private static int unpack(int nibble) { return (nibble * 0x00204081) & 0x01010101; }

    @Test
    void int1BytesUnpackIntoTheS8RegistersOfEachK32Step() {
        for (int x = 0; x < 16; x++)
            for (int i = 0; i < 4; i++) assertThat((unpack(x) >>> (8 * i)) & 0xff).isEqualTo((x >> i) & 1);
        int n = 2, k = 256;
        int[] c = codes(n * k, 2, 9);
        byte[] lay = GemmWeightLayout.int1ForMma(c, n, k);
        assertThat(lay).hasSize(n * k / 8);
        for (int row = 0; row < n; row++)
            for (int tile = 0; tile < k / 128; tile++)
                for (int t = 0; t < 4; t++) {
                    int w = word(lay, row * k / 8 + tile * 16 + 4 * t);
                    for (int s = 0; s < 4; s++) {
                        int bits = (w >>> (8 * s)) & 0xff, base = row * k + tile * 128 + 32 * s;
                        int b0 = unpack(bits & 15), b1 = unpack(bits >> 4);
                        for (int i = 0; i < 4; i++) {
                            assertThat((b0 >>> (8 * i)) & 0xff).isEqualTo(c[base + 4 * t + i]);
                            assertThat((b1 >>> (8 * i)) & 0xff).isEqualTo(c[base + 16 + 4 * t + i]);
                        }
                    }
                }
    }

    @Test
    void rejectsCodesOutsideTheFormatAndKOffTheBlock() {
        assertThatThrownBy(() -> GemmWeightLayout.int1ForMma(new int[] {2, 0}, 1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GemmWeightLayout.int1ForMma(new int[64], 1, 64)).hasMessageContaining("multiple of 128");
        assertThatThrownBy(() -> GemmWeightLayout.bytePairsForMma(new int[8], 1, 8)).hasMessageContaining("multiple of 16");
    }
}
