package org.ladderae.kernels;

import org.junit.jupiter.api.Test;
import org.ladderae.formats.E8M0;
import org.ladderae.formats.Fp16;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GemvKernelsTest {
    private static final ActFormat[] ACTS = ActFormat.values();

    @Test
    void slotElementIsAPermutationMatchingTheDecodeOrder() {
        for (WeightFormat w : WeightFormat.values())
            for (ActFormat a : ACTS) {
                if (!a.accepts(w)) continue;
                int n = 32 / w.bits();
                int[] seen = new int[n];
                for (int s = 0; s < n; s++) seen[WeightLayout.slotElement(w, a, s)]++;
                assertThat(seen).as("%s/%s", w, a).containsOnly(1);
            }
        // INT4 with FP16 activations: lop3 pairs slots (t, t+4) -> elements (2t, 2t+1)
        int[] perm = new int[8];
        for (int s = 0; s < 8; s++) perm[s] = WeightLayout.slotElement(WeightFormat.INT4, ActFormat.FP16, s);
        assertThat(perm).containsExactly(0, 2, 4, 6, 1, 3, 5, 7);
        // INT4 with INT8 activations: byte j = (element j, element 4+j) so each nibble plane feeds one dp4a
        for (int s = 0; s < 8; s++) perm[s] = WeightLayout.slotElement(WeightFormat.INT4, ActFormat.INT8, s);
        assertThat(perm).containsExactly(0, 4, 1, 5, 2, 6, 3, 7);
        assertThat(WeightLayout.permutes(WeightFormat.INT4, ActFormat.INT4)).isFalse();
        assertThat(WeightLayout.permutes(WeightFormat.FP8_E5M2, ActFormat.FP16)).isFalse();
        assertThat(WeightLayout.permutes(WeightFormat.INT1, ActFormat.INT4)).isTrue();
    }

    @Test
    void transformAndInverseRoundTripForEveryPair() {
        Random r = new Random(11);
        for (WeightFormat w : WeightFormat.values())
            for (ActFormat a : ACTS) {
                if (!a.accepts(w)) continue;
                int n = 3, k = w.kUnit() * 5;
                int[] codes = new int[n * k];
                for (int i = 0; i < codes.length; i++) codes[i] = r.nextInt(1 << Math.min(w.bits(), 16));
                byte[] plain = WeightLayout.packPlain(codes, w, n, k);
                byte[] t = WeightLayout.transform(plain, w, a, n, k);
                assertThat(WeightLayout.inverse(t, w, a, n, k)).as("%s/%s", w, a).isEqualTo(plain);
                assertThat(WeightLayout.unpackPlain(plain, w, n, k)).isEqualTo(codes);
                if (WeightLayout.permutes(w, a)) assertThat(t).isNotEqualTo(plain);
            }
        byte[] exps = new byte[4 * 64 / 32];
        for (int i = 0; i < exps.length; i++) exps[i] = (byte) (100 + i);
        byte[] nMajor = WeightLayout.transformMxExponents(exps, 4, 64);
        assertThat(nMajor[1]).isEqualTo(exps[4]);  // row 0, block 1 came from [block 1][row 0]
        assertThat(WeightLayout.inverseMxExponents(nMajor, 4, 64)).isEqualTo(exps);
    }

    @Test
    void transformedSlotHoldsTheElementTheKernelExpects() {
        // INT2 with FP16 activations: element e of a word must sit in slot s with slotElement(s) == e
        int k = 64;
        int[] codes = new int[k];
        for (int i = 0; i < k; i++) codes[i] = i % 4;
        byte[] t = WeightLayout.transform(WeightLayout.packPlain(codes, WeightFormat.INT2, 1, k), WeightFormat.INT2, ActFormat.FP16, 1, k);
        int word = (t[0] & 0xff) | (t[1] & 0xff) << 8 | (t[2] & 0xff) << 16 | (t[3] & 0xff) << 24;
        for (int s = 0; s < 16; s++) assertThat((word >>> (2 * s)) & 3).isEqualTo(codes[WeightLayout.slotElement(WeightFormat.INT2, ActFormat.FP16, s)]);
    }

    @Test
    void tensorCoreTileHoldsEachLanesBFragment() {
        // INT4: lane 4n+q, k16 step t must find elements 16t+2q+{0,1,8,9} of row n, in pair order after the word permutation
        int n = 11, k = 256;
        int[] codes = new Random(2).ints(n * k, 0, 16).toArray();
        byte[] tiles = WeightLayout.tileForMma(codes, WeightFormat.INT4, n, k);
        assertThat(tiles).hasSize(16 * k / 2);  // rows padded to 16
        int kblk = WeightLayout.mmaKBlock(WeightFormat.INT4);
        byte[] logical = WeightLayout.inverse(tiles, WeightFormat.INT4, ActFormat.FP16, 16 * k / kblk, kblk);
        int[] seq = WeightLayout.unpackPlain(logical, WeightFormat.INT4, 16 * k / kblk, kblk);
        for (int t8 = 0; t8 < 2; t8++)
            for (int kb = 0; kb < k / kblk; kb++)
                for (int lane = 0; lane < 32; lane++)
                    for (int i = 0; i < 32; i++) {
                        int row = t8 * 8 + lane / 4, kk = kb * kblk + 16 * (i / 4) + 2 * (lane % 4) + (i % 4 & 1) + 8 * ((i % 4) >> 1);
                        int got = seq[((t8 * (k / kblk) + kb) * 32 + lane) * 32 + i];
                        assertThat(got).isEqualTo(row < n ? codes[row * k + kk] : 0);
                    }
        GemvConfig mma = new GemvConfig(WeightFormat.INT4, ActFormat.FP16, 16, GemvStage.HOLISTIC, new GemvLaunch(128, 2, 1, 1, 0, true));
        assertThat(GemvKernels.spec(mma).kernelName()).endsWith("_m16_t128_r2_s1_u1_mma");
        assertThat(GemvKernels.spec(mma).nvccDefines()).containsEntry("MMA", "1");
        assertThat(GemvKernels.spec(mma).grid(28672, 132)).containsExactly(28672 / 64, 1, 1);
        assertThatThrownBy(() -> mma.validateShape(8, 96)).hasMessageContaining("multiple of 128");
        assertThatThrownBy(() -> new GemvConfig(WeightFormat.INT4, ActFormat.INT8, 16, GemvStage.HOLISTIC, new GemvLaunch(128, 2, 1, 1, 0, true)))
                .hasMessageContaining("tensor-core");
    }

    @Test
    void badKGivesOneClearError() {
        GemvConfig c = GemvConfig.of(WeightFormat.INT4, ActFormat.FP16, 1, GemvStage.PTX);
        assertThatThrownBy(() -> c.validateShape(1000, 100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("K = 100 is not a positive multiple of 32, the K unit of W_INT4 (one 16-byte load of 4-bit elements)");
        assertThatThrownBy(() -> GemvConfig.of(WeightFormat.MXFP8, ActFormat.FP16, 1, GemvStage.PTX).validateShape(8, 48))
                .hasMessageContaining("multiple of 32").hasMessageContaining("MX block");
        for (WeightFormat w : WeightFormat.values()) GemvConfig.of(w, ActFormat.FP16, 3, GemvStage.PTX).validateShape(1000, 11008);
        assertThatThrownBy(() -> GemvConfig.of(WeightFormat.NF4, ActFormat.INT8, 1, GemvStage.PTX)).hasMessageContaining("not a supported pair");
        assertThatThrownBy(() -> GemvConfig.of(WeightFormat.INT8, ActFormat.INT4, 1, GemvStage.PTX)).hasMessageContaining("not a supported pair");
        assertThatThrownBy(() -> GemvConfig.of(WeightFormat.FP16, ActFormat.FP16, 17, GemvStage.PTX)).hasMessageContaining("M = 1..16");
    }

    @Test
    void specNamesDefinesAndLaunchGeometry() {
        GemvConfig c = new GemvConfig(WeightFormat.INT4, ActFormat.FP16, 1, GemvStage.HOLISTIC, new GemvLaunch(256, 4, 1, 1, 0));
        GemvKernelSpec s = GemvKernels.spec(c);
        assertThat(s.kernelName()).isEqualTo("ladder_gemv_w_int4_a_fp16_transform_ptx_holistic_m1_t256_r4_s1_u1");
        assertThat(s.nvccDefines()).containsEntry("W_FMT", "2").containsEntry("A_FMT", "0").containsEntry("STAGE", "3")
                .containsEntry("GEMV_M", "1").containsEntry("THREADS", "256").containsEntry("RPW", "4")
                .containsEntry("SPLITK", "1").containsEntry("UNROLL", "1").containsEntry("LADDER_KERNEL_NAME", s.kernelName());
        assertThat(s.block()).containsExactly(256, 1, 1);
        assertThat(s.grid(28672, 132)).containsExactly(28672 / 32, 1, 1);  // 8 warps x 4 rows per block
        assertThat(s.grid(1000, 132)).containsExactly(32, 1, 1);
        assertThat(GemvKernelSpec.class.getResource(s.sourceResource())).as("kernel source ships as a resource").isNotNull();
        GemvKernelSpec nf4 = GemvKernels.spec(GemvKernels.holistic(WeightFormat.NF4, ActFormat.FP16, 1, 28672, 8192));
        assertThat(nf4.grid(28672, 132)[0]).isEqualTo(4 * 132);  // persistent grid amortises the LUT fill
        assertThat(nf4.staticSharedBytes()).isGreaterThanOrEqualTo(32768);
        assertThat(GemvKernelSpec.weightBytes(WeightFormat.MXFP8, 8, 64)).isEqualTo(8 * 64 + 16);
        assertThatThrownBy(() -> new GemvConfig(WeightFormat.INT4, ActFormat.FP16, 1, GemvStage.PTX, new GemvLaunch(256, 4, 1, 1, 0)))
                .hasMessageContaining("holistic");
        for (int m : new int[] {1, 16}) assertThat(GemvKernels.holisticCandidates(WeightFormat.INT4, m)).isNotEmpty().doesNotHaveDuplicates();
    }

    @Test
    void referenceComputesNtProducts() {
        // A = [[1, 2], [3, 4]] (M=2, K=2); W codes (FP16) rows n0 = [0.5, -1], n1 = [2, 0.25]
        int[] w = {Fp16.INSTANCE.encode(0.5), Fp16.INSTANCE.encode(-1), Fp16.INSTANCE.encode(2), Fp16.INSTANCE.encode(0.25)};
        double[] c = GemvReference.gemv(new double[] {1, 2, 3, 4}, w, null, WeightFormat.FP16, 2, 2, 2);
        assertThat(c).containsExactly(-1.5, 2.5, -2.5, 7.0);
        long[] ci = GemvReference.gemvInt(new int[] {-8, 7}, new int[] {15, 3, 1, 0}, 1, 2, 2);
        assertThat(ci).containsExactly(-120 + 21, -8);
        // MXFP8: exponent 128 doubles every element of its block
        int[] codes = new int[32];
        Arrays.fill(codes, 0x3c); // 1.0
        double[] a = new double[32];
        Arrays.fill(a, 1.0);
        assertThat(GemvReference.gemv(a, codes, new byte[] {(byte) 128}, WeightFormat.MXFP8, 1, 1, 32)).containsExactly(64.0);
        assertThat(E8M0.decode(128)).isEqualTo(2.0);
        assertThat(GemvReference.toFp16Code(70000)).isEqualTo(0x7c00);
    }
}
