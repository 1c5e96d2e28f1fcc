package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.ladderae.formats.BitPacking;
import org.ladderae.formats.Mxfp8;

class ConvProblemTest {
    /**
     * The direct-definition reference equals an explicit im2col (the kernel's index math: row m = (n, p, q),
     * column kg = (r*S + s)*C + c, input pixel (p*stride - pad + r, q*stride - pad + s), zero outside)
     * followed by a plain GEMM, on odd sizes with stride 2 and padding.
     */
    @Test
    void referenceEqualsIm2colThenGemm() {
        for (ConvShape s : new ConvShape[] {ConvShape.parse("2,64,7,5,8,3,3,2,1"), ConvShape.parse("1,64,6,9,4,1,1,1,0"),
                ConvShape.parse("3,64,5,5,4,3,2,1,2")}) {
            ConvProblem p = ConvProblem.random(ConvFormat.W_FP16A_FP16, s, 3);
            double[] ref = p.reference();
            int m = s.gemmM(), kg = s.gemmK();
            double[] a = new double[m * kg];
            for (int row = 0; row < m; row++) {
                int n = row / (s.p() * s.q()), pq = row % (s.p() * s.q()), oh = pq / s.q(), ow = pq % s.q();
                for (int col = 0; col < kg; col++) {
                    int rs = col / s.c(), c = col % s.c(), r = rs / s.s(), t = rs % s.s();
                    int ih = oh * s.stride() - s.pad() + r, iw = ow * s.stride() - s.pad() + t;
                    boolean inside = ih >= 0 && ih < s.h() && iw >= 0 && iw < s.w();
                    a[row * kg + col] = inside ? p.inputValue(((n * s.h() + ih) * s.w() + iw) * s.c() + c) : 0;
                }
            }
            double[] gemm = GemvReference.gemv(a, p.w(), null, WeightFormat.FP16, m, s.k(), kg);
            assertThat(ref).hasSize(gemm.length);
            for (int i = 0; i < ref.length; i++) assertThat(ref[i]).as(s + " output " + i).isCloseTo(gemm[i], org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void deviceBytesHoldTheCodesInEachFormatsLayout() {
        ConvShape s = ConvShape.parse("1,64,3,3,4,3,3,1,1");
        ConvProblem fp8 = ConvProblem.random(ConvFormat.W_FP8A_FP16, s, 1);
        assertThat(ConvWeightLayout.fp8FromMma(fp8.deviceWeights())).containsExactly(fp8.w());
        assertThat(BitPacking.unpack(fp8.deviceInput(), 16, fp8.x().length)).containsExactly(fp8.x());

        ConvProblem int4 = ConvProblem.random(ConvFormat.W_INT4A_INT4, s, 2);
        int[] nibbles = BitPacking.unpack(int4.deviceInput(), 4, int4.x().length);
        for (int i = 0; i < nibbles.length; i++) assertThat(((nibbles[i] ^ 8) - 8)).isEqualTo(int4.x()[i]);
        assertThat(BitPacking.unpack(int4.deviceWeights(), 4, int4.w().length)).containsExactly(int4.w());
        assertThat(int4.x()).contains(-8, 7).doesNotContain(8);

        ConvProblem mx = ConvProblem.random(ConvFormat.W_MXFP8A_MXFP8, s, 3);
        assertThat(mx.deviceInputScales()).hasSize(s.h() * s.w() * s.c() / Mxfp8.BLOCK);
        assertThat(mx.deviceWeightScales()).hasSize(s.k() * s.gemmK() / Mxfp8.BLOCK);
        // exponents as the OCP recipe gives uniform [-1, 1) data: 2^(-1 - 15), i.e. code 111 (a block max below 1/2 gives 110)
        for (int e : mx.xExp()) assertThat(e).isBetween(105, 111);
    }

    @Test
    void inputsAreNeverAllZero() {
        ConvShape s = ConvShape.parse("1,64,4,4,4,3,3,1,1");
        for (ConvFormat f : ConvFormat.values()) {
            ConvProblem p = ConvProblem.random(f, s, 9);
            double[] ref = p.reference();
            long nonZero = java.util.Arrays.stream(ref).filter(v -> v != 0).count();
            assertThat(nonZero).as(f.label()).isGreaterThan(ref.length / 2);
        }
    }

    @Test
    void int4ExactReferenceIsTheIntegerSum() {
        ConvShape s = ConvShape.parse("1,64,3,3,4,1,1,1,0");
        ConvProblem p = ConvProblem.random(ConvFormat.W_INT4A_INT4, s, 4);
        long[] exact = p.exactReference();
        long want = 0;
        for (int c = 0; c < 64; c++) want += (long) p.x()[c] * p.w()[c];   // pixel 0, filter 0
        assertThat(exact[0]).isEqualTo(want);
    }

    @Test
    void theFusedReferenceAddsBiasAndResidualThenClampsAtZero() {
        ConvShape s = ConvShape.parse("2,5,4,3,6,3,3,1,1");
        ConvProblem p = ConvProblem.random(ConvFormat.W_FP16A_FP16, s, 3);
        int n = Math.toIntExact(s.outputElements());
        int[] bias = ConvProblem.randomFp16(s.k(), 4), res = ConvProblem.randomFp16(n, 5);
        double[] plain = p.reference(), fused = p.reference(bias, res, true), noRelu = p.reference(bias, null, false);
        boolean clamped = false;
        for (int i = 0; i < n; i++) {
            double v = plain[i] + org.ladderae.formats.Fp16.INSTANCE.decode(bias[i % s.k()]) + org.ladderae.formats.Fp16.INSTANCE.decode(res[i]);
            org.assertj.core.api.Assertions.assertThat(fused[i]).isCloseTo(Math.max(v, 0), org.assertj.core.api.Assertions.within(1e-12));
            org.assertj.core.api.Assertions.assertThat(noRelu[i]).isCloseTo(plain[i] + org.ladderae.formats.Fp16.INSTANCE.decode(bias[i % s.k()]),
                    org.assertj.core.api.Assertions.within(1e-12));
            clamped |= v < 0;
        }
        org.assertj.core.api.Assertions.assertThat(clamped).as("some outputs negative before the ReLU").isTrue();
    }

    @Test
    void fp16DeviceWeightsArePaddedToTheRowLength() {
        ConvShape s = ConvShape.parse("1,3,9,9,5,3,3,2,1");
        ConvProblem p = ConvProblem.random(ConvFormat.W_FP16A_FP16, s, 6);
        org.assertj.core.api.Assertions.assertThat(p.deviceWeights()).hasSize(2 * 5 * 64);
    }
}
