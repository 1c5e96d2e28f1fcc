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
    void figure14LayoutsArePermutationsOfTheirBlock() {
        for (GemmWeightLayout.FieldLayout l : GemmWeightLayout.FieldLayout.values()) {
            int[] elements = java.util.stream.IntStream.range(0, l.kBlock()).map(l::element).sorted().toArray();
            assertThat(elements).as(l.name()).containsExactly(java.util.stream.IntStream.range(0, l.kBlock()).toArray());
            assertThat(l.kBlock() * l.bits() % 128).as("whole 16-byte units per block (or 8 for INT1 x FP16)").isIn(0, 64);
        }
    }

    @Test
    void handCheckedBitsOfTheFigure14Layouts() {
        // INT2 x FP16: e(25) = 3, all else 0: 25 = 16*1 + 2t + 8b + h with t = 0, b = 1, h = 1 -> word 0, high half, field j = 3 (bits 22, 23)
        int[] c = new int[64];
        c[25] = 3;
        assertThat(GemmWeightLayout.FieldLayout.INT2_FP16_ACTS.pack(c, 1, 64)).containsExactly(0, 0, (byte) 0xC0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        // INT1 x INT4: e(10) = 1: 10 = 8t + 2i + h with t = 1, i = 1, h = 0 -> word 1, byte s = 0, bit 1
        c = new int[128];
        c[10] = 1;
        byte[] b = GemmWeightLayout.FieldLayout.INT1_INT4_ACTS.pack(c, 1, 128);
        assertThat(b[4]).isEqualTo((byte) 0x02);
        assertThat(java.util.stream.IntStream.range(0, 16).filter(i -> b[i] != 0).toArray()).containsExactly(4);
        // INT4 x INT8: e(17) = 9: 17 = 16 + 4t + i with t = 0, i = 1 -> word 0 byte 1, high nibble
        c = new int[32];
        c[17] = 9;
        assertThat(GemmWeightLayout.FieldLayout.INT4_INT8_ACTS.pack(c, 1, 32)[1]).isEqualTo((byte) 0x90);
        // INT4 x INT4 is the natural packing (the same bytes as BitPacking)
        int[] r = codes(64, 16, 4);
        assertThat(GemmWeightLayout.FieldLayout.INT4_INT4_ACTS.pack(r, 2, 32)).containsExactly(org.ladderae.formats.BitPacking.pack(r, 4));
    }

    /** Lane (g, t)'s registers of every step, decoded with ladder_gemm.cu's operations, written back to the elements the fragment says. */
    @Test
    void figure14LayoutsDecodeBackTheWayTheLanesReadThem() {
        int n = 3, k = 256;
        for (GemmWeightLayout.FieldLayout l : GemmWeightLayout.FieldLayout.values()) {
            int[] c = codes(n * k, 1 << l.bits(), 20 + l.ordinal());
            byte[] lay = l.pack(c, n, k);
            assertThat(lay).as(l.name()).hasSize(n * k * l.bits() / 8);
            int[] back = new int[n * k];
            java.util.Arrays.fill(back, -1);
            boolean fp16Acts = l == GemmWeightLayout.FieldLayout.INT2_FP16_ACTS || l == GemmWeightLayout.FieldLayout.INT1_FP16_ACTS;
            boolean int4Acts = l.name().endsWith("INT4_ACTS");
            int bk = fp16Acts ? 64 : 128, tileBytes = bk * l.bits() / 8, rowBytes = k * l.bits() / 8;
            for (int row = 0; row < n; row++)
                for (int kt = 0; kt < k / bk; kt++)
                    for (int ks = 0; ks < 4; ks++)
                        for (int t = 0; t < 4; t++) {
                            int tile = row * rowBytes + kt * tileBytes;
                            if (fp16Acts) {
                                // FMT 10: word t, (w >> 8) for ks >= 2, fields 2(ks&1)+b; FMT 11: halfword t spread by prmt 0x4140, bits 2ks+b
                                int x;
                                int[] field = new int[2];
                                if (l.bits() == 2) {
                                    x = word(lay, tile + 4 * t);
                                    if (ks >= 2) x >>>= 8;
                                    for (int bb = 0; bb < 2; bb++) field[bb] = 2 * (2 * (ks & 1) + bb);
                                } else {
                                    x = (lay[tile + 2 * t] & 0xff) | (lay[tile + 2 * t + 1] & 0xff) << 16;
                                    for (int bb = 0; bb < 2; bb++) field[bb] = 2 * ks + bb;
                                }
                                int mask = (1 << l.bits()) - 1;
                                for (int bb = 0; bb < 2; bb++)
                                    for (int h = 0; h < 2; h++)   // B register bb = (k 2t + 8bb, +1): low half, high half
                                        back[row * k + kt * bk + 16 * ks + 2 * t + 8 * bb + h] = (x >>> (16 * h + field[bb])) & mask;
                            } else {
                                int[] regs;   // the two s8 B registers of k32 step ks
                                if (l.bits() == 4) {
                                    int x = word(lay, tile + 16 * ks + 4 * t);
                                    regs = new int[] {x & 0x0F0F0F0F, (x >>> 4) & 0x0F0F0F0F};
                                } else if (l.bits() == 2) {
                                    int x = word(lay, tile + 16 * (ks >> 1) + 4 * t), kh = ks & 1;
                                    regs = new int[] {(x >>> (4 * kh)) & 0x03030303, (x >>> (4 * kh + 2)) & 0x03030303};
                                } else {
                                    int bits = (word(lay, tile + 4 * t) >>> (8 * ks)) & 0xFF;
                                    regs = new int[] {unpack(bits & 15), unpack(bits >> 4)};
                                }
                                for (int bb = 0; bb < 2; bb++)
                                    for (int i = 0; i < 4; i++) {
                                        // the mma's k = 16bb + 4t + i; with INT4 activations that k is element 8t + 2i + bb (ladder_gemm.cu's header)
                                        int e = int4Acts ? 8 * t + 2 * i + bb : 16 * bb + 4 * t + i;
                                        back[row * k + kt * bk + 32 * ks + e] = (regs[bb] >>> (8 * i)) & 0xff;
                                    }
                            }
                        }
            assertThat(back).as(l.name()).containsExactly(c);
        }
    }

    @Test
    void rejectsCodesOutsideTheFormatAndKOffTheBlock() {
        assertThatThrownBy(() -> GemmWeightLayout.int1ForMma(new int[] {2, 0}, 1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GemmWeightLayout.int1ForMma(new int[64], 1, 64)).hasMessageContaining("multiple of 128");
        assertThatThrownBy(() -> GemmWeightLayout.bytePairsForMma(new int[8], 1, 8)).hasMessageContaining("multiple of 16");
    }
}
