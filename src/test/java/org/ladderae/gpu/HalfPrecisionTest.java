package org.ladderae.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HalfPrecisionTest {
    @Test
    void knownValues() {
        assertThat(HalfPrecision.fromFloat(1.0f)).isEqualTo((short) 0x3C00);
        assertThat(HalfPrecision.fromFloat(-2.0f)).isEqualTo((short) 0xC000);
        assertThat(HalfPrecision.fromFloat(65504f)).isEqualTo((short) 0x7BFF);
        assertThat(HalfPrecision.fromFloat(1e6f)).isEqualTo((short) 0x7C00);
        assertThat(HalfPrecision.toFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(HalfPrecision.toFloat(HalfPrecision.POISON)).isNaN();
    }

    @Test
    void everyFiniteHalfRoundTrips() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short h = (short) bits;
            float f = HalfPrecision.toFloat(h);
            if (Float.isNaN(f)) continue;
            assertThat(HalfPrecision.fromFloat(f)).as("half 0x%04x", bits).isEqualTo(h);
        }
    }

    @Test
    void roundsToNearestEven() {
        // 1 + 2^-11 lies halfway between 1 and the next half (1 + 2^-10): ties go to the even mantissa (1).
        assertThat(HalfPrecision.fromFloat(1f + 0x1p-11f)).isEqualTo((short) 0x3C00);
        // 1 + 3*2^-11 lies halfway between 1+2^-10 (odd) and 1+2^-9 (even).
        assertThat(HalfPrecision.fromFloat(1f + 3 * 0x1p-11f)).isEqualTo((short) 0x3C02);
        assertThat(HalfPrecision.fromFloat(1f + 0x1p-11f + 0x1p-20f)).isEqualTo((short) 0x3C01);
    }
}
