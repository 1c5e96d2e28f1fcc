package org.ladderae.formats;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FormatCodecsTest {

    /** Independent FP16 decode through float bit assembly (normals) and scaling (subnormals). */
    private static double fp16ByBits(int h) {
        int s = h >>> 15, e = (h >>> 10) & 31, m = h & 1023;
        if (e == 31) return m == 0 ? (s == 1 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY) : Double.NaN;
        float f = e == 0 ? (float) (m * Math.pow(2, -24)) : Float.intBitsToFloat((e - 15 + 127) << 23 | m << 13);
        return s == 1 ? -f : f;
    }

    @Test
    void fp16AllCodesDecodeLikeBitAssemblyAndRoundTrip() {
        Fp16 f = Fp16.INSTANCE;
        int nans = 0;
        for (int c = 0; c < 65536; c++) {
            double v = f.decode(c);
            double expected = fp16ByBits(c);
            if (Double.isNaN(expected)) {
                assertThat(v).isNaN();
                nans++;
                continue;
            }
            assertThat(v).as("code %04x", c).isEqualTo(expected);
            assertThat(f.encode(v)).as("round trip %04x", c).isEqualTo(c);
        }
        assertThat(nans).isEqualTo(2 * 1023);
    }

    @Test
    void fp16RoundsToNearestEvenAndOverflowsToInf() {
        Fp16 f = Fp16.INSTANCE;
        assertThat(f.encode(1 + Math.scalb(1.0, -11))).isEqualTo(0x3c00);       // tie -> even (1.0)
        assertThat(f.encode(1 + 3 * Math.scalb(1.0, -11))).isEqualTo(0x3c02);   // tie -> even (1 + 2^-9)
        assertThat(f.encode(65504)).isEqualTo(0x7bff);
        assertThat(f.encode(65519.99)).isEqualTo(0x7bff);
        assertThat(f.encode(65520)).isEqualTo(0x7c00);                           // tie rounds up to 2^16: Inf
        assertThat(f.encode(Math.scalb(1.0, -25))).isEqualTo(0);                 // half the smallest subnormal: tie -> 0
        assertThat(f.encode(Math.scalb(1.5, -25))).isEqualTo(1);
        assertThat(f.encode(-0.0)).isEqualTo(0x8000);
        assertThat(f.encode(Double.NEGATIVE_INFINITY)).isEqualTo(0xfc00);
        assertThat(f.decode(f.encode(Double.NaN))).isNaN();
    }

    /** Brute force: nearest finite code, ties to the even code (even mantissa). */
    private static int nearestCode(MiniFloat f, double v) {
        int best = -1;
        double bestErr = Double.POSITIVE_INFINITY;
        for (int c = 0; c < 256; c++) {
            double d = f.decode(c);
            if (Double.isNaN(d) || Double.isInfinite(d)) continue;
            if (d == 0 && (Double.doubleToRawLongBits(d) < 0) != (Double.doubleToRawLongBits(v) < 0)) continue;
            double err = Math.abs(d - v);
            if (err < bestErr || (err == bestErr && (c & 1) == 0)) { best = c; bestErr = err; }
        }
        return best;
    }

    @Test
    void fp8AllCodesExhaustive() {
        for (MiniFloat f : new MiniFloat[] {Fp8E5M2.INSTANCE, Fp8E4M3.INSTANCE}) {
            for (int c = 0; c < 256; c++) {
                double v = f.decode(c);
                if (f == Fp8E5M2.INSTANCE) {
                    double h = Fp16.INSTANCE.decode(c << 8); // E5M2 is truncated FP16: the GPU's byte-shift decode
                    if (Double.isNaN(h)) assertThat(v).isNaN(); else assertThat(v).isEqualTo(h);
                }
                if (!Double.isNaN(v)) assertThat(f.encode(v)).as("%s code %02x", f.name(), c).isEqualTo(c);
            }
        }
        assertThat(Fp8E4M3.INSTANCE.decode(0x7f)).isNaN();
        assertThat(Fp8E4M3.INSTANCE.decode(0xff)).isNaN();
        assertThat(Fp8E4M3.INSTANCE.decode(0x7e)).isEqualTo(448.0);
        assertThat(Fp8E4M3.INSTANCE.decode(0x78)).isEqualTo(256.0);               // S.1111.000 is a number
        assertThat(Fp8E4M3.INSTANCE.decode(0x01)).isEqualTo(Math.scalb(1.0, -9)); // smallest subnormal
        assertThat(Fp8E5M2.INSTANCE.decode(0x7c)).isInfinite();
        assertThat(Fp8E5M2.INSTANCE.decode(0x7b)).isEqualTo(57344.0);
        assertThat(Fp8E5M2.INSTANCE.decode(0x01)).isEqualTo(Math.scalb(1.0, -16));
    }

    @Test
    void fp8EncodeIsNearestEvenOnRandomValuesAndHandlesOverflow() {
        Random r = new Random(7);
        for (MiniFloat f : new MiniFloat[] {Fp8E5M2.INSTANCE, Fp8E4M3.INSTANCE}) {
            double max = f.maxFinite();
            for (int i = 0; i < 20000; i++) {
                double v = (r.nextBoolean() ? 1 : -1) * Math.scalb(r.nextDouble(), r.nextInt(40) - 24);
                if (Math.abs(v) > max) continue;
                assertThat(f.encode(v)).as("%s %s", f.name(), v).isEqualTo(nearestCode(f, v));
            }
            // the exact midpoint between two codes goes to the even one
            double mid = (f.decode(0x3c) + f.decode(0x3d)) / 2;
            assertThat(f.encode(mid)).isEqualTo(0x3c);
        }
        assertThat(Fp8E4M3.INSTANCE.encode(464)).isEqualTo(0x7e);   // tie between 448 and (NaN slot) 480 -> even 448
        assertThat(Fp8E4M3.INSTANCE.decode(Fp8E4M3.INSTANCE.encode(470))).isNaN();  // OCP non-saturating overflow
        assertThat(Fp8E4M3.INSTANCE.encodeSaturating(1e6)).isEqualTo(0x7e);
        assertThat(Fp8E4M3.INSTANCE.decode(Fp8E4M3.INSTANCE.encode(Double.POSITIVE_INFINITY))).isNaN();
        assertThat(Fp8E5M2.INSTANCE.encode(61440)).isEqualTo(0x7c);  // tie past 57344 rounds to Inf
        assertThat(Fp8E5M2.INSTANCE.encode(61439)).isEqualTo(0x7b);
    }

    @Test
    void nf4AllCodesAndNearestEncode() {
        Nf4 f = Nf4.INSTANCE;
        for (int c = 0; c < 16; c++) {
            assertThat(f.encode(f.decode(c))).isEqualTo(c);
            if (c > 0) {
                assertThat(f.decode(c)).isGreaterThan(f.decode(c - 1));
                double mid = (f.decode(c - 1) + f.decode(c)) / 2;
                assertThat(f.encode(mid)).isEqualTo(c - 1);             // tie -> lower index
                assertThat(f.encode(Math.nextUp(mid))).isEqualTo(c);
            }
        }
        assertThat(f.decode(0)).isEqualTo(-1.0);
        assertThat(f.decode(7)).isEqualTo(0.0);
        assertThat(f.decode(15)).isEqualTo(1.0);
        assertThat(f.encode(5.0)).isEqualTo(15);
    }

    @Test
    void unsignedIntsRoundAndSaturate() {
        for (int bits : new int[] {8, 4, 2, 1}) {
            UnsignedInt f = UnsignedInt.of(bits);
            for (int c = 0; c < 1 << bits; c++) assertThat(f.encode(f.decode(c))).isEqualTo(c);
            assertThat(f.encode(-3)).isZero();
            assertThat(f.encode(1e9)).isEqualTo((1 << bits) - 1);
        }
        assertThat(UnsignedInt.INT4.encode(2.5)).isEqualTo(2);
        assertThat(UnsignedInt.INT4.encode(3.5)).isEqualTo(4);
        assertThatThrownBy(() -> UnsignedInt.of(3)).hasMessageContaining("8, 4, 2 or 1");
    }

    @Test
    void mxfp8DecodesExactlyAndEncodesBlocksPerOcp() {
        assertThat(Mxfp8.decode(127, 0x3c)).isEqualTo(1.0);
        assertThat(Mxfp8.decode(130, 0x3d)).isEqualTo(8 * 1.25);
        assertThat(Mxfp8.decode(0, 0x3c)).isEqualTo(Math.scalb(1.0, -127));
        assertThat(Mxfp8.decode(254, 0x3c)).isEqualTo(Math.scalb(1.0, 127));
        assertThat(Mxfp8.decode(255, 0x3c)).isNaN();
        Random r = new Random(3);
        double[] v = new double[Mxfp8.BLOCK];
        for (int trial = 0; trial < 200; trial++) {
            double mag = Math.scalb(1.0, r.nextInt(60) - 30);
            for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian() * mag;
            Mxfp8.Block b = Mxfp8.encodeBlock(v, 0);
            double maxAbs = 0;
            for (double x : v) maxAbs = Math.max(maxAbs, Math.abs(x));
            assertThat(b.exponent() - 127).isEqualTo(Math.getExponent(maxAbs) - 15);
            for (int i = 0; i < v.length; i++) {
                double d = Mxfp8.decode(b.exponent(), b.elements()[i]);
                assertThat(Math.abs(d - v[i])).isLessThanOrEqualTo(Math.max(Math.abs(v[i]) * 0.125, Math.scalb(1.0, b.exponent() - 127 - 16)));
            }
        }
        Mxfp8.Block zero = Mxfp8.encodeBlock(new double[32], 0);
        assertThat(zero.exponent()).isZero();
        v[5] = Double.NaN;
        assertThat(Mxfp8.encodeBlock(v, 0).exponent()).isEqualTo(E8M0.NAN);
    }

    @Test
    void bitPackingPutsElementZeroInTheLowBits() {
        assertThat(BitPacking.pack(new int[] {1, 2, 3, 0}, 2)).containsExactly((byte) 0x39);
        assertThat(BitPacking.pack(new int[] {0xa, 0x5}, 4)).containsExactly((byte) 0x5a);
        assertThat(BitPacking.pack(new int[] {1, 0, 0, 0, 0, 0, 0, 1}, 1)).containsExactly((byte) 0x81);
        assertThat(BitPacking.pack(new int[] {0x3c00}, 16)).containsExactly((byte) 0x00, (byte) 0x3c);
        Random r = new Random(1);
        for (int bits : new int[] {1, 2, 4, 8, 16}) {
            int[] codes = r.ints(256, 0, 1 << bits).toArray();
            assertThat(BitPacking.unpack(BitPacking.pack(codes, bits), bits, codes.length)).containsExactly(codes);
        }
    }

    @Test
    void groupQuantizationErrorIsBoundedByHalfAStep() {
        Random r = new Random(5);
        double[] row = r.doubles(256, -3, 5).toArray();
        for (int g : new int[] {32, 64, 128, GroupQuantizer.WHOLE_ROW}) {
            GroupQuantizer.Quantized q = new GroupQuantizer(UnsignedInt.INT4, g, true).quantizeRow(row);
            for (int k = 0; k < row.length; k++) {
                double step = q.scales()[k / q.groupSize()];
                assertThat(Math.abs(q.dequantize(k, UnsignedInt.INT4) - row[k])).as("g%d k%d", g, k).isLessThanOrEqualTo(step * 0.5 + 1e-3 * step * 16);
            }
        }
        GroupQuantizer.Quantized nf = new GroupQuantizer(Nf4.INSTANCE, 64, false).quantizeRow(row);
        assertThat(nf.zeros()).containsOnly(0.0);
        assertThatThrownBy(() -> new GroupQuantizer(UnsignedInt.INT4, 48, true)).hasMessageContaining("32, 64, 128");
    }
}
