package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ladderae.formats.Fp16;
import org.ladderae.kernels.GemmConfig.Format;

/**
 * ladder_gemm.cu's main loop for the Figure 14 format pairs (LADDER_FMT 9-16), emulated lane by lane on the CPU: from
 * the device bytes of {@link GemmProblem} (the Java layout transforms), every lane (g, t) of every 16x8 output block
 * builds its A and B registers with the kernel's loads, shifts, masks, prmt and magic-number arithmetic, the registers
 * are put back into matrices by the PTX ISA's fragment definitions of mma.m16n8k16 (f16) and mma.m16n8k32 (s8), and the
 * products are summed as the tensor core does. The result must equal the double-precision / exact reference: this is
 * what ties the layout transform, the in-register decode and the K permutation of the packed INT4 activations together
 * before any GPU runs them. Shared-memory swizzles are left out: they move 16-byte chunks (the same chunk on write and
 * read), never bytes inside one, so a lane reads the same word from global order.
 */
class GemmKernelEmulationTest {

    static Stream<Arguments> pairs() {
        return Stream.of(
                Arguments.of(Format.INT8, Format.FP16, 9), Arguments.of(Format.INT2, Format.FP16, 10), Arguments.of(Format.INT1, Format.FP16, 11),
                Arguments.of(Format.INT4, Format.INT8, 12), Arguments.of(Format.INT2, Format.INT8, 13),
                Arguments.of(Format.INT4, Format.INT4, 14), Arguments.of(Format.INT2, Format.INT4, 15), Arguments.of(Format.INT1, Format.INT4, 16));
    }

    @ParameterizedTest(name = "W_{0}A_{1} (LADDER_FMT {2})")
    @MethodSource("pairs")
    void laneByLaneEmulationEqualsTheReference(Format w, Format a, int fmt) {
        // M = 19: a partial 16-row block (rows past M read as zeros, as cp.async zero-fills them); K = 2 K tiles
        int m = 19, n = 16, k = 256;
        GemmConfig c = GemmConfig.mma(w, a, 128, 128, 1024, 128, 128, 2, 2, 3, 1);
        assertThat(c.mmaFormatCode()).isEqualTo(fmt);
        GemmProblem p = GemmProblem.random(w, a, m, n, k, 11 + fmt);
        Emulated e = new Emulated(p, fmt);
        if (GemmProblem.integerActivations(a)) {
            long[] ref = p.exactReference();
            assertThat(java.util.Arrays.stream(ref).filter(v -> v != 0).count()).as("a reference of zeros proves nothing").isGreaterThan(m * n / 2);
            assertThat(e.integerResult()).containsExactly(ref);
        } else {
            double[] ref = p.reference();
            double[] got = e.floatResult();
            for (int i = 0; i < ref.length; i++) assertThat(got[i]).as("C[%d][%d]", i / n, i % n).isCloseTo(ref[i], org.assertj.core.data.Offset.offset(1e-9 * Math.max(1, Math.abs(ref[i]))));
        }
    }

    /**
     * The centred-code builds (W_CENTRED) of the FP16-activation formats: the same lanes with the kernel's centred
     * subtrahends must give the reference of code - 2^(bits-1) ({@link GemmRunner#centred}).
     */
    @ParameterizedTest(name = "centred W_{0}A_{1} (LADDER_FMT {2})")
    @MethodSource("pairs")
    void centredCodesEmulationEqualsTheCentredReference(Format w, Format a, int fmt) {
        if (a != Format.FP16) return;   // the integer-activation formats have no centred build
        int m = 19, n = 16, k = 256;
        GemmConfig c = GemmConfig.mma(w, a, 128, 128, 1024, 128, 128, 2, 2, 3, 1).withVariant(GemmConfig.Variant.CENTRED_CODES);
        assertThat(c.defineFlags()).contains("-DW_CENTRED=1");
        GemmProblem p = GemmProblem.random(w, a, m, n, k, 31 + fmt);
        double[] ref = GemmRunner.centred(p.reference(), p);
        double[] got = new Emulated(p, fmt, 1 << (w.bits() - 1)).floatResult();
        for (int i = 0; i < ref.length; i++) assertThat(got[i]).as("C[%d][%d]", i / n, i % n).isCloseTo(ref[i], org.assertj.core.data.Offset.offset(1e-9 * Math.max(1, Math.abs(ref[i]))));
    }

    /** decode_u4x4_to_half2x2 with W_CENTRED (FMT 1 and the TMA kernel's INT4): subtrahends 1032 and 72 give n - 8 exactly. */
    @org.junit.jupiter.api.Test
    void centredInt4DecodeConstantsGiveCodeMinusEight() {
        for (int nib = 0; nib < 16; nib++) {
            int lo = 0x6400 | nib, hi = 0x6400 | nib << 4;   // lop3: the nibble in the mantissa of 1024, low or high in its byte
            assertThat(half(lo) - half(0x6408)).isEqualTo(nib - 8.0);
            assertThat(half(hi) * half(0x2C00) + half(0xD480)).isEqualTo(nib - 8.0);
            // and the plain build's constants still give the code
            assertThat(half(lo) - half(0x6400)).isEqualTo(nib);
            assertThat(half(hi) * half(0x2C00) + half(0xD400)).isEqualTo(nib);
        }
        assertThat(half(0x6480)).isEqualTo(1024 + 128.0);   // FMT 9's centred subtrahend
    }

    /** ladder_gemm.cu's half_bits_of_int: the FP16 bits of a small integer, for every value the centred biases use. */
    @org.junit.jupiter.api.Test
    void halfBitsOfIntEncodesSmallIntegers() {
        for (int v = 1; v < 2048; v++) assertThat(halfBitsOfInt(v)).as("%d", v).isEqualTo(Fp16.INSTANCE.encode(v));
    }

    /** One run of the emulated kernel over the whole problem. */
    private static final class Emulated {
        private final GemmProblem p;
        private final int fmt, bk, aRowBytes, wRowBytes, wTileBytes;
        /** 0, or 2^(bits-1) for the centred build (W_CENTRED). */
        private final int centre;
        private final byte[] a, w;
        private final boolean fp16Acts, int4Acts;

        Emulated(GemmProblem p, int fmt) { this(p, fmt, 0); }

        Emulated(GemmProblem p, int fmt, int centre) {
            this.p = p;
            this.fmt = fmt;
            this.centre = centre;
            this.a = p.deviceActivations();
            this.w = p.deviceWeights();
            this.fp16Acts = p.acts() == Format.FP16;
            this.int4Acts = p.acts() == Format.INT4;
            this.bk = fp16Acts ? 64 : 128;
            this.aRowBytes = fp16Acts ? 2 * p.k() : int4Acts ? p.k() / 2 : p.k();
            this.wTileBytes = switch (fmt) { case 11 -> 8; case 10, 16 -> 16; case 13, 15 -> 32; default -> 64; };   // W_ROWB
            this.wRowBytes = p.k() / bk * wTileBytes;
            assertThat(w).hasSize(p.n() * wRowBytes);
            assertThat(a).hasSize(p.m() * aRowBytes);
        }

        long[] integerResult() {
            long[] c = new long[p.m() * p.n()];
            for (int r0 = 0; r0 < p.m(); r0 += 16)
                for (int c0 = 0; c0 < p.n(); c0 += 8) {
                    long[][] acc = new long[16][8];
                    for (int kt = 0; kt < p.k() / bk; kt++)
                        for (int ks = 0; ks < 4; ks++) {
                            int[][] am = new int[16][32], bm = new int[32][8];
                            for (int lane = 0; lane < 32; lane++) {
                                int g = lane >> 2, t = lane & 3;
                                int[] ar = int4Acts ? int4ActRegisters(r0, g, t, kt, ks) : int8ActRegisters(r0, g, t, kt, ks);
                                int[] br = s8WeightRegisters(c0 + g, t, kt, ks);
                                // PTX m16n8k32 .s8: a0 (row g, k 4t+i), a1 (row g+8), a2 (row g, k 16+4t+i), a3 (row g+8); b0 (k 4t+i, col g), b1 (k 16+4t+i)
                                for (int i = 0; i < 4; i++) {
                                    am[g][4 * t + i] = sbyte(ar[0], i);
                                    am[g + 8][4 * t + i] = sbyte(ar[1], i);
                                    am[g][16 + 4 * t + i] = sbyte(ar[2], i);
                                    am[g + 8][16 + 4 * t + i] = sbyte(ar[3], i);
                                    bm[4 * t + i][g] = sbyte(br[0], i);
                                    bm[16 + 4 * t + i][g] = sbyte(br[1], i);
                                }
                            }
                            for (int r = 0; r < 16; r++)
                                for (int col = 0; col < 8; col++)
                                    for (int kk = 0; kk < 32; kk++) acc[r][col] += (long) am[r][kk] * bm[kk][col];
                        }
                    for (int r = 0; r < 16; r++)
                        for (int col = 0; col < 8; col++) {
                            long v = acc[r][col];
                            assertThat(Math.abs(v)).as("INT32 accumulator").isLessThan(1L << 31);
                            if (int4Acts) {
                                assertThat(v % 16).as("INT4-activation sums are 16x").isZero();
                                v = (int) v >> 4;   // the epilogue's arithmetic shift
                            }
                            if (r0 + r < p.m()) c[(r0 + r) * p.n() + c0 + col] = v;
                        }
                }
            return c;
        }

        double[] floatResult() {
            double[] c = new double[p.m() * p.n()];
            for (int r0 = 0; r0 < p.m(); r0 += 16)
                for (int c0 = 0; c0 < p.n(); c0 += 8) {
                    double[][] acc = new double[16][8];
                    for (int kt = 0; kt < p.k() / bk; kt++)
                        for (int ks = 0; ks < 4; ks++) {
                            double[][] am = new double[16][16], bm = new double[16][8];
                            for (int lane = 0; lane < 32; lane++) {
                                int g = lane >> 2, t = lane & 3;
                                int k0 = kt * 64 + ks * 16;
                                // ldmatrix gives the standard f16 A fragment: a0 (row g, k 2t, 2t+1), a1 (row g+8), a2 (row g, k 2t+8, 2t+9), a3 (row g+8)
                                for (int h = 0; h < 2; h++) {
                                    am[g][2 * t + h] = actValue(r0 + g, k0 + 2 * t + h);
                                    am[g + 8][2 * t + h] = actValue(r0 + g + 8, k0 + 2 * t + h);
                                    am[g][2 * t + 8 + h] = actValue(r0 + g, k0 + 2 * t + 8 + h);
                                    am[g + 8][2 * t + 8 + h] = actValue(r0 + g + 8, k0 + 2 * t + 8 + h);
                                }
                                int[] br = halfWeightRegisters(c0 + g, t, kt, ks);
                                // PTX m16n8k16 f16: b0 = (k 2t, 2t+1; col g) low half first, b1 = (k 2t+8, 2t+9)
                                bm[2 * t][g] = half(br[0] & 0xffff);
                                bm[2 * t + 1][g] = half(br[0] >>> 16);
                                bm[2 * t + 8][g] = half(br[1] & 0xffff);
                                bm[2 * t + 9][g] = half(br[1] >>> 16);
                            }
                            for (int r = 0; r < 16; r++)
                                for (int col = 0; col < 8; col++)
                                    for (int kk = 0; kk < 16; kk++) acc[r][col] += am[r][kk] * bm[kk][col];
                        }
                    for (int r = 0; r < 16; r++)
                        for (int col = 0; col < 8; col++)
                            if (r0 + r < p.m()) c[(r0 + r) * p.n() + c0 + col] = acc[r][col];
                }
            return c;
        }

        /** FP16 activation value, zero past M (cp.async zero-fill). */
        private double actValue(int row, int kk) {
            if (row >= p.m()) return 0;
            int off = row * aRowBytes + 2 * kk;
            return half((a[off] & 0xff) | (a[off + 1] & 0xff) << 8);
        }

        /** INT8 activations by ldmatrix: the standard fragment, a0 = row g bytes k 4t..4t+3 of the k32 step, etc. */
        private int[] int8ActRegisters(int r0, int g, int t, int kt, int ks) {
            int base = kt * 128 + ks * 32;
            return new int[] {aWord(r0 + g, base + 4 * t), aWord(r0 + g + 8, base + 4 * t), aWord(r0 + g, base + 16 + 4 * t),
                    aWord(r0 + g + 8, base + 16 + 4 * t)};
        }

        /** Packed INT4 activations: word t of chunk ks of rows g and g+8, then the kernel's shifts and masks. */
        private int[] int4ActRegisters(int r0, int g, int t, int kt, int ks) {
            int off = kt * 64 + ks * 16 + 4 * t;
            int lo = aWord(r0 + g, off), hi = aWord(r0 + g + 8, off);
            return new int[] {(lo << 4) & 0xF0F0F0F0, (hi << 4) & 0xF0F0F0F0, lo & 0xF0F0F0F0, hi & 0xF0F0F0F0};
        }

        private int aWord(int row, int byteOffset) {
            if (row >= p.m()) return 0;
            return word(a, row * aRowBytes + byteOffset);
        }

        private int wWord(int col, int kt, int byteInTile) { return word(w, col * wRowBytes + kt * wTileBytes + byteInTile); }

        /** The s8 B registers (b0, b1) of k32 step ks (LADDER_FMT 12-16), as the kernel decodes them. */
        private int[] s8WeightRegisters(int col, int t, int kt, int ks) {
            int kp = ks >> 1, kh = ks & 1;
            return switch (fmt) {
                case 12, 14 -> {
                    int x = wWord(col, kt, ks * 16 + 4 * t);
                    yield new int[] {x & 0x0F0F0F0F, (x >>> 4) & 0x0F0F0F0F};
                }
                case 13, 15 -> {
                    int x = wWord(col, kt, kp * 16 + 4 * t);
                    yield new int[] {(x >>> (4 * kh)) & 0x03030303, (x >>> (4 * kh + 2)) & 0x03030303};
                }
                case 16 -> {
                    int b = (wWord(col, kt, 4 * t) >>> (8 * ks)) & 0xFF;
                    yield new int[] {unpackU1x4(b & 0xF), unpackU1x4(b >> 4)};
                }
                default -> throw new IllegalStateException("LADDER_FMT " + fmt);
            };
        }

        /** The half2 B registers (b0, b1) of k16 step ks (LADDER_FMT 9-11), as the kernel decodes them. */
        private int[] halfWeightRegisters(int col, int t, int kt, int ks) {
            return switch (fmt) {
                case 9 -> {
                    int x = wWord(col, kt, ks * 16 + 4 * t);
                    int magic = centre == 0 ? 0x64006400 : 0x64806480;   // U8_DECODE_MAGIC
                    yield new int[] {hsub2(bytePerm(x, 0x64646464, 0x4140), magic), hsub2(bytePerm(x, 0x64646464, 0x4342), magic)};
                }
                case 10 -> {
                    int x = wWord(col, kt, 4 * t);
                    int xs = ks >= 2 ? x >>> 8 : x;
                    yield new int[] {halfFieldPair(xs, 2, 2 * (ks & 1), centre), halfFieldPair(xs, 2, 2 * (ks & 1) + 1, centre)};
                }
                case 11 -> {
                    int off = col * wRowBytes + kt * wTileBytes + 2 * t;
                    int h16 = (w[off] & 0xff) | (w[off + 1] & 0xff) << 8;
                    int x = bytePerm(h16, 0, 0x4140);
                    yield new int[] {halfFieldPair(x, 1, 2 * ks, centre), halfFieldPair(x, 1, 2 * ks + 1, centre)};
                }
                default -> throw new IllegalStateException("LADDER_FMT " + fmt);
            };
        }
    }

    // ---- the kernel's bit operations ----

    /** half_field_pair<BITS, J>: (x & mask) | 0x64006400, then magic_field_to_half2<BITS*J, C> (C = the centre, 0 if plain). */
    private static int halfFieldPair(int x, int bits, int j, int c) {
        int mask = (((1 << bits) - 1) << (bits * j)) * 0x00010001;
        int h = (x & mask) | 0x64006400;
        int s = bits * j;
        assertThat(s).isBetween(0, 9);
        if (s == 0) return hsub2(h, (0x6400 + c) * 0x00010001);
        int scale = ((15 - s) << 10) * 0x00010001, bias = (0x8000 | halfBitsOfInt((1 << (10 - s)) + c)) * 0x00010001;
        assertThat(half(scale & 0xffff)).isEqualTo(Math.scalb(1.0, -s));
        assertThat(half(bias & 0xffff)).isEqualTo(-1024 * Math.scalb(1.0, -s) - c);
        return hfma2(h, scale, bias);
    }

    /** ladder_gemm.cu's half_bits_of_int(v): exponent floor(log2 v), the bits below the leading one as the mantissa. */
    private static int halfBitsOfInt(int v) {
        int e = 31 - Integer.numberOfLeadingZeros(v);
        return ((e + 15) << 10) | ((v - (1 << e)) << (10 - e));
    }

    /** CUDA's __byte_perm(x, y, s): result byte i = byte (s >> 4i) & 7 of the 8 bytes y:x. */
    static int bytePerm(int x, int y, int s) {
        long bytes = (x & 0xffffffffL) | (y & 0xffffffffL) << 32;
        int r = 0;
        for (int i = 0; i < 4; i++) r |= (int) ((bytes >>> (8 * ((s >>> (4 * i)) & 7))) & 0xff) << (8 * i);
        return r;
    }

    private static int unpackU1x4(int x) { return (x * 0x00204081) & 0x01010101; }

    private static int hsub2(int x, int y) { return halves(half(x & 0xffff) - half(y & 0xffff), half(x >>> 16) - half(y >>> 16)); }

    private static int hfma2(int x, int s, int b) {
        return halves(half(x & 0xffff) * half(s & 0xffff) + half(b & 0xffff), half(x >>> 16) * half(s >>> 16) + half(b >>> 16));
    }

    /** Two exact values as a half2 (low first); the decode's results are small integers, so nothing may round. */
    private static int halves(double lo, double hi) {
        int l = Fp16.INSTANCE.encode(lo), h = Fp16.INSTANCE.encode(hi);
        assertThat(half(l)).as("exact in FP16").isEqualTo(lo);
        assertThat(half(h)).as("exact in FP16").isEqualTo(hi);
        return l | h << 16;
    }

    private static double half(int bits) { return Fp16.INSTANCE.decode(bits & 0xffff); }

    private static int sbyte(int reg, int i) { return (byte) (reg >>> (8 * i)); }

    private static int word(byte[] b, int offset) {
        return (b[offset] & 0xff) | (b[offset + 1] & 0xff) << 8 | (b[offset + 2] & 0xff) << 16 | (b[offset + 3] & 0xff) << 24;
    }
}
