package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConvWeightLayoutTest {
    @Test
    void kcrsToKrscRoundTripsAndPutsChannelsInnermost() {
        int k = 3, c = 5, r = 3, s = 2;
        int[] kcrs = new int[k * c * r * s];
        for (int i = 0; i < kcrs.length; i++) kcrs[i] = i;
        int[] krsc = ConvWeightLayout.krscFromKcrs(kcrs, k, c, r, s);
        // element (k=2, c=4, r=1, s=0)
        assertThat(krsc[((2 * r + 1) * s + 0) * c + 4]).isEqualTo(kcrs[((2 * c + 4) * r + 1) * s + 0]);
        assertThat(ConvWeightLayout.kcrsFromKrsc(krsc, k, c, r, s)).containsExactly(kcrs);
    }

    @Test
    void fp8FragmentOrderRoundTrips() {
        SplittableRandom rnd = new SplittableRandom(7);
        int[] codes = new int[64 * 9];
        for (int i = 0; i < codes.length; i++) codes[i] = rnd.nextInt(256);
        assertThat(ConvWeightLayout.fp8FromMma(ConvWeightLayout.fp8ForMma(codes))).containsExactly(codes);
    }

    /**
     * What the W_FP8A_FP16 kernel does per 16-element group: lane t of a quad uses its 4 bytes 4t..4t+3
     * as B fragment b0 = k (2t, 2t+1) and b1 = k (2t+8, 2t+9), against FP16 activations in natural order.
     * Every weight must meet the activation of its own k exactly once.
     */
    @Test
    void fp8LayoutGivesEachLaneTheWeightsOfItsFragmentSlots() {
        int[] natural = new int[16];
        for (int i = 0; i < 16; i++) natural[i] = 100 + i;
        byte[] laid = ConvWeightLayout.fp8ForMma(natural);
        boolean[] seen = new boolean[16];
        for (int t = 0; t < 4; t++) {
            int[] slotK = {2 * t, 2 * t + 1, 2 * t + 8, 2 * t + 9};
            for (int j = 0; j < 4; j++) {
                assertThat(laid[4 * t + j] & 0xff).isEqualTo(natural[slotK[j]]);
                seen[slotK[j]] = true;
            }
        }
        for (boolean b : seen) assertThat(b).isTrue();
    }

    /** The kernel's signed-nibble unpack: x | ((x & 0x08080808) * 0x1E) sign-extends four nibbles (one per byte) at once. */
    @Test
    void int4SignExtensionTrickMatchesTwosComplement() {
        for (int v = -8; v < 8; v++) {
            int nib = v & 15;
            int word = nib | (nib << 8) | ((15 - nib) << 16) | (nib << 24);
            int ext = word | ((word & 0x08080808) * 0x1E);
            assertThat((byte) ext).isEqualTo((byte) v);
            assertThat((byte) (ext >>> 8)).isEqualTo((byte) v);
            assertThat((byte) (ext >>> 16)).isEqualTo((byte) (((15 - nib) ^ 8) - 8));
            assertThat((byte) (ext >>> 24)).isEqualTo((byte) v);
        }
    }

    @Test
    void rowsArePaddedToWholeKTilesWithZeros() {
        ConvShape stem = ConvShape.parse("1,3,224,224,64,7,7,2,3");
        assertThat(ConvWeightLayout.rowLength(stem)).isEqualTo(192);   // 147 -> 3 K tiles
        assertThat(ConvWeightLayout.rowLength(ConvShape.FIGURE12.get("C0"))).isEqualTo(576);
        ConvShape s = ConvShape.parse("1,3,8,8,2,3,3,1,1");   // rows of 27 -> 64
        int[] krsc = new int[2 * 27];
        for (int i = 0; i < krsc.length; i++) krsc[i] = i + 1;
        int[] padded = ConvWeightLayout.padRows(krsc, s);
        assertThat(padded).hasSize(128);
        assertThat(padded[0]).isEqualTo(1);
        assertThat(padded[26]).isEqualTo(27);
        assertThat(padded[27]).isZero();
        assertThat(padded[63]).isZero();
        assertThat(padded[64]).isEqualTo(28);
    }

    @Test
    void fp16WeightsFromPytorchOrderAreKrscPaddedAndRounded() {
        ConvShape s = ConvShape.parse("1,3,8,8,2,1,2,1,0");   // K=2, C=3, R=1, S=2: rows of 6 -> 64
        float[] kcrs = new float[12];
        for (int i = 0; i < kcrs.length; i++) kcrs[i] = i + 0.5f;
        byte[] dev = ConvWeightLayout.fp16FromKcrs(kcrs, s);
        assertThat(dev).hasSize(2 * 2 * 64);
        // element (k=1, r=0, s=1, c=2) is KCRS index ((1*3+2)*1+0)*2+1 = 11, KRSC index 1*64 + (0*2+1)*3 + 2 = 69
        int code = (dev[2 * 69] & 0xff) | (dev[2 * 69 + 1] & 0xff) << 8;
        assertThat(org.ladderae.formats.Fp16.INSTANCE.decode(code)).isEqualTo(11.5);
        assertThat(dev[2 * 70]).isZero();
    }
}
