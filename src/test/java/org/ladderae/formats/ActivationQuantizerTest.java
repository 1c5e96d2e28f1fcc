package org.ladderae.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The reference semantics the activation-quantising kernels of llm_ops.cu implement (see {@link ActivationQuantizer}). */
class ActivationQuantizerTest {

    @Test
    void int8ScaleIsTheRowAbsmaxOver127InFp32AndTheAbsmaxMapsTo127() {
        double[] row = {0.5, -2.0, 1.0, 0.25};
        ActivationQuantizer.IntRow q = ActivationQuantizer.quantizeInt(row, 0, 4, 127);
        assertThat(q.scale()).isEqualTo(2.0f / 127f);
        assertThat(q.codes()).containsExactly(32, -127, 64, 16);   // 0.5 * 63.5 = 31.75 -> 32, 1.0 -> 63.5 -> 64 (even)
        assertThat(q.codeSum()).isEqualTo(32 - 127 + 64 + 16);
    }

    @Test
    void roundingIsHalfToEvenOnTheFp32Quotient() {
        // amax 7 on INT4: scale exactly 1, so x / scale = x and the ties are visible.
        double[] row = {7, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.25};
        ActivationQuantizer.IntRow q = ActivationQuantizer.quantizeInt(row, 0, row.length, 7);
        assertThat(q.scale()).isEqualTo(1.0f);
        assertThat(q.codes()).containsExactly(7, 0, 2, 2, 0, -2, -2, 3);
    }

    @Test
    void inputsAreTheStoredFp16ValuesAndCodesSaturateAtTheSymmetricRange() {
        // 1 + 2^-12 is not an FP16 value: it is read as 1.0, so both elements are the absmax and map to +-127.
        double[] row = {1 + Math.scalb(1.0, -12), -1.0, 0.0};
        ActivationQuantizer.IntRow q = ActivationQuantizer.quantizeInt(row, 0, 3, 127);
        assertThat(q.codes()).containsExactly(127, -127, 0);
        double[] int4 = {-3.0, 3.0, -2.9};
        assertThat(ActivationQuantizer.quantizeInt(int4, 0, 3, 7).codes()).containsExactly(-7, 7, -7);   // never -8
    }

    @Test
    void allZeroRowsHaveScaleZeroAndZeroCodes() {
        ActivationQuantizer.IntRow q = ActivationQuantizer.quantizeInt(new double[8], 0, 8, 127);
        assertThat(q.scale()).isZero();
        assertThat(q.codes()).containsOnly(0);
        assertThat(ActivationQuantizer.fakeQuantize(ActivationFormat.INT8, new double[8], 8)).containsOnly(0.0);
    }

    @Test
    void intRoundTripErrorIsAtMostHalfAStepPerRow() {
        SplittableRandom rnd = new SplittableRandom(3);
        int k = 64;
        double[] x = new double[3 * k];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextDouble(-4, 4) * (i / k + 1);   // rows of different ranges
        for (ActivationFormat f : new ActivationFormat[] {ActivationFormat.INT8, ActivationFormat.INT4}) {
            double[] y = ActivationQuantizer.fakeQuantize(f, x, k);
            for (int r = 0; r < 3; r++) {
                ActivationQuantizer.IntRow q = ActivationQuantizer.quantizeInt(x, r * k, k, f.maxCode());
                for (int i = 0; i < k; i++) {
                    double stored = Fp16.round(x[r * k + i]);
                    assertThat(Math.abs(y[r * k + i] - stored)).isLessThanOrEqualTo(q.scale() * 0.5 * (1 + 1e-6));
                    assertThat(y[r * k + i]).isEqualTo(q.value(i));
                }
            }
        }
    }

    @Test
    void mxfp8SharedExponentIsFloorLog2OfTheBlockAbsmaxMinus15() {
        double[] row = new double[64];
        row[3] = 3.0;      // block 0 absmax 3: floor(log2 3) = 1, exponent 1 - 15 = -14, E8M0 code 113
        row[5] = -0.75;
        row[40] = 0.0625;  // block 1 absmax 2^-4: exponent -19, code 108
        Mxfp8.Block[] b = ActivationQuantizer.quantizeMxfp8(row, 0, 64);
        assertThat(b[0].exponent()).isEqualTo(113);
        assertThat(b[1].exponent()).isEqualTo(108);
        double[] y = ActivationQuantizer.fakeQuantize(ActivationFormat.MXFP8, row, 64);
        assertThat(y[3]).isEqualTo(3.0);          // 3 * 2^14 = 49152 = 1.5 * 2^15: an E5M2 value
        assertThat(y[5]).isEqualTo(-0.75);
        assertThat(y[40]).isEqualTo(0.0625);
        assertThat(y[0]).isZero();
    }

    @Test
    void mxfp8ElementsRoundToNearestEvenAndSaturate() {
        double[] row = new double[32];
        row[0] = 1.875;    // absmax: 1.875 * 2^15 = 61440, past E5M2's 57344: saturates to 1.75
        row[1] = 1.125;    // 1.125 * 2^15: halfway between 1.0 and 1.25 (E5M2 mantissa step 0.25): even -> 1.0
        row[2] = 1.375;    // halfway between 1.25 and 1.5: even -> 1.5
        double[] y = ActivationQuantizer.fakeQuantize(ActivationFormat.MXFP8, row, 32);
        assertThat(y[0]).isEqualTo(1.75);
        assertThat(y[1]).isEqualTo(1.0);
        assertThat(y[2]).isEqualTo(1.5);
    }

    @Test
    void mxfp8NeedsWholeBlocks() {
        assertThatThrownBy(() -> ActivationQuantizer.fakeQuantize(ActivationFormat.MXFP8, new double[48], 48)).hasMessageContaining("multiple of 32");
    }
}
