package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ladderae.formats.BitPacking;
import org.ladderae.formats.Fp16;
import org.ladderae.kernels.GemmConfig.Format;

/** GEMM inputs, device bytes and the CPU references the kernels are checked against. */
class GemmProblemTest {
    private static int h(double v) { return Fp16.INSTANCE.encode(v); }

    @Test
    void fp16ReferenceIsATimesWTransposed() {
        // A = [[1, 2], [0.5, -1]] (2 x 2), W = [[3, 4], [-2, 0.25]] (N = 2): C = A W^T = [[11, -1.5], [-2.5, -1.25]]
        GemmProblem p = new GemmProblem(Format.FP16, Format.FP16, 2, 2, 2,
                new int[] {h(3), h(4), h(-2), h(0.25)}, new int[] {h(1), h(2), h(0.5), h(-1)}, null, null);
        assertThat(p.reference()).containsExactly(11, -1.5, -2.5, -1.25);
    }

    @Test
    void int4ReferenceDecodesUnsignedCodes() {
        GemmProblem p = new GemmProblem(Format.INT4, Format.FP16, 1, 1, 2, new int[] {15, 2}, new int[] {h(1), h(-0.5)}, null, null);
        assertThat(p.reference()).containsExactly(15 - 1.0);
    }

    @Test
    void int8ReferenceIsExactWithSignedWeights() {
        GemmProblem p = new GemmProblem(Format.INT8, Format.INT8, 1, 2, 2, new int[] {-8, 7, 3, -3}, new int[] {-8, -8}, null, null);
        assertThat(p.exactReference()).containsExactly(64 - 56, -24 + 24);
        assertThat(p.deviceWeights()).containsExactly((byte) 0xF8, 7, 3, (byte) 0xFD);
        assertThat(p.deviceActivations()).containsExactly((byte) 0xF8, (byte) 0xF8);
    }

    @Test
    void int4ActivationsArePackedTwoPerByteAndSummedExactly() {
        // A = [[-8, 7, -1, 3]] (one row, K = 4), W = [[15, 0, 2, 1], [1, 1, 1, 1]] (unsigned INT4 codes)
        GemmProblem p = new GemmProblem(Format.INT4, Format.INT4, 1, 2, 4, new int[] {15, 0, 2, 1, 1, 1, 1, 1}, new int[] {-8, 7, -1, 3}, null, null);
        assertThat(p.exactReference()).containsExactly(-120 + 0 - 2 + 3, -8 + 7 - 1 + 3);
        // byte j = e(2j) | e(2j+1) << 4, two's-complement nibbles: -8 = 0x8, 7 = 0x7, -1 = 0xF, 3 = 0x3
        assertThat(p.deviceActivations()).containsExactly((byte) 0x78, (byte) 0x3F);
        assertThat(p.deviceActivations()).as("the GEMV kernels' INT4 activation packing")
                .containsExactly(WeightLayout.deviceActivations(p.actCodes(), ActFormat.INT4));
        assertThatThrownBy(p::reference).hasMessageContaining("exactReference");
        assertThatThrownBy(() -> GemmWeightLayout.int4Activations(new int[] {8, 0})).hasMessageContaining("outside -8..7");
    }

    @Test
    void lowBitWeightsWithFp16ActivationsAreTheGemvCodecsUnsignedCodes() {
        // INT8 weights with FP16 activations are the GEMV kernels' unsigned codes: 200 means 200, not -56
        GemmProblem i8 = new GemmProblem(Format.INT8, Format.FP16, 1, 1, 2, new int[] {200, 3}, new int[] {h(0.5), h(-1)}, null, null);
        assertThat(i8.reference()).containsExactly(100 - 3.0);
        assertThat(i8.reference()[0]).isEqualTo(0.5 * WeightFormat.INT8.elementCodec().decode(200) - 3);
        GemmProblem i2 = new GemmProblem(Format.INT2, Format.FP16, 1, 1, 2, new int[] {3, 2}, new int[] {h(1), h(0.25)}, null, null);
        assertThat(i2.reference()).containsExactly(3 + 0.5);
        GemmProblem i1 = new GemmProblem(Format.INT1, Format.FP16, 1, 1, 2, new int[] {1, 0}, new int[] {h(-2), h(4)}, null, null);
        assertThat(i1.reference()).containsExactly(-2.0);
        // the random problems draw the full unsigned range of each format, and signed INT4 activations
        GemmProblem r8 = GemmProblem.random(Format.INT8, Format.FP16, 4, 128, 256, 3);
        assertThat(java.util.Arrays.stream(r8.weightCodes()).summaryStatistics()).satisfies(st -> {
            assertThat(st.getMin()).isZero();
            assertThat(st.getMax()).isEqualTo(255);
        });
        GemmProblem r2 = GemmProblem.random(Format.INT2, Format.INT4, 4, 128, 256, 3);
        assertThat(java.util.Arrays.stream(r2.weightCodes()).distinct().sorted().toArray()).containsExactly(0, 1, 2, 3);
        assertThat(java.util.Arrays.stream(r2.actCodes()).summaryStatistics()).satisfies(st -> {
            assertThat(st.getMin()).isEqualTo(-8);
            assertThat(st.getMax()).isEqualTo(7);
        });
        assertThat(r2.deviceActivations()).hasSize(4 * 256 / 2);
        assertThat(r2.deviceWeights()).hasSize(128 * 256 / 4)
                .isEqualTo(GemmWeightLayout.FieldLayout.INT2_INT4_ACTS.pack(r2.weightCodes(), 128, 256));
        assertThat(GemmProblem.random(Format.INT4, Format.INT8, 4, 128, 256, 3).deviceWeights()).hasSize(128 * 256 / 2);
        assertThat(GemmProblem.random(Format.INT1, Format.FP16, 4, 128, 256, 3).deviceWeights()).hasSize(128 * 256 / 8);
    }

    @Test
    void randomInputsStayInTheirRangesAndAreNotZero() {
        GemmProblem i8 = GemmProblem.random(Format.INT8, Format.INT8, 33, 256, 1024, 7);
        assertThat(java.util.Arrays.stream(i8.weightCodes()).summaryStatistics()).satisfies(st -> {
            assertThat(st.getMin()).isEqualTo(-8);
            assertThat(st.getMax()).isEqualTo(7);
        });
        assertThat(java.util.Arrays.stream(i8.actCodes()).allMatch(v -> v >= -8 && v <= 7)).isTrue();
        assertThat(java.util.Arrays.stream(i8.exactReference()).filter(v -> v != 0).count()).isGreaterThan(33 * 256 / 2);
        GemmProblem i4 = GemmProblem.random(Format.INT4, Format.FP16, 33, 256, 1024, 7);
        assertThat(java.util.Arrays.stream(i4.weightCodes()).summaryStatistics()).satisfies(st -> {
            assertThat(st.getMin()).isZero();
            assertThat(st.getMax()).isEqualTo(15);
        });
        assertThat(i4.deviceWeights()).hasSize(256 * 1024 / 2).isEqualTo(GemmWeightLayout.int4ForMma(i4.weightCodes(), 256, 1024));
        // Figure 13's BASELINE GEMM reads the plain packing; the other stages the Ladder layout
        GemmConfig base = GemmConfig.mma(Format.INT4, Format.FP16, 33, 256, 1024, 32, 128, 1, 4, 4, 1).withStage(GemvStage.BASELINE);
        assertThat(i4.deviceWeights(base)).isEqualTo(BitPacking.pack(i4.weightCodes(), 4));
        assertThat(i4.deviceWeights(base.withStage(GemvStage.TRANSFORM))).isEqualTo(i4.deviceWeights());
        GemmProblem b1 = GemmProblem.random(Format.INT1, Format.INT8, 33, 256, 1024, 7);
        assertThat(b1.deviceWeights(GemmConfig.mma(Format.INT1, Format.INT8, 33, 256, 1024, 32, 128, 1, 4, 4, 1).withStage(GemvStage.BASELINE)))
                .isEqualTo(BitPacking.pack(b1.weightCodes(), 1));
        assertThat(i4.deviceActivations()).hasSize(33 * 1024 * 2);
        assertThatThrownBy(() -> GemmProblem.random(Format.NF4, Format.INT8, 1, 128, 128, 1)).hasMessageContaining("no GEMM kernel");
    }

    @Test
    void heuristicPicksTheMeasuredBestTilesPerRegime() {
        TargetArch h100 = TargetArch.forComputeCapability(9, 0), a100 = TargetArch.forComputeCapability(8, 0);
        assertThat(GemmKernels.forShape(Format.FP16, Format.FP16, 4096, 28672, 8192, h100).path()).isEqualTo(GemmConfig.Path.WGMMA_TMA);
        for (Format w : new Format[] {Format.INT4, Format.NF4, Format.FP8_E5M2})
            assertThat(GemmKernels.forShape(w, Format.FP16, 4096, 28672, 8192, h100).path()).isEqualTo(GemmConfig.Path.WGMMA_TMA);
        // K not a multiple of 128: the low-bit TMA kernel cannot take it, mma.sync does
        assertThat(GemmKernels.forShape(Format.INT4, Format.FP16, 4096, 28672, 8256, h100).path()).isEqualTo(GemmConfig.Path.MMA16816);
        // sm_90 without the arch-specific features: no wgmma at all
        assertThat(GemmKernels.forShape(Format.INT4, Format.FP16, 4096, 28672, 8192, new TargetArch(9, 0, false)).path())
                .isEqualTo(GemmConfig.Path.MMA16816);
        assertThat(GemmKernels.forShape(Format.FP16, Format.FP16, 4096, 28672, 8192, a100).path()).isEqualTo(GemmConfig.Path.MMA16816);
        GemmConfig int4Small = GemmKernels.forShape(Format.INT4, Format.FP16, 32, 28672, 8192, a100);   // sm_90a: the skinny TMA kernel
        assertThat(List.of(int4Small.bm(), int4Small.bn(), int4Small.stages(), int4Small.splitK())).containsExactly(32, 128, 4, 8);
        GemmConfig int8 = GemmKernels.forShape(Format.INT8, Format.INT8, 16384, 16384, 16384, h100);
        // wgmma v3: the TMA kernel ran 1382 TOPS at 16384^3 on the H100 (1068 the cp.async wgmma kernel in run 3, 684 mma.sync)
        assertThat(int8.kernelName()).isEqualTo("ladder_gemm_w_int8_a_int8_wgmma64x256x32_tma_ws_128x256x128_4stage");
        for (Format[] p : new Format[][] {{Format.FP8_E4M3, Format.FP8_E4M3}, {Format.FP8_E5M2, Format.FP8_E5M2}, {Format.INT8, Format.FP16},
                {Format.INT2, Format.FP16}, {Format.INT1, Format.FP16}, {Format.INT4, Format.INT8}, {Format.INT2, Format.INT8}, {Format.INT1, Format.INT8}})
            assertThat(GemmKernels.forShape(p[0], p[1], 4096, 28672, 8192, h100).path()).as("W_%sA_%s", p[0], p[1]).isEqualTo(GemmConfig.Path.WGMMA_TMA);
        // INT8 activations with weights in registers need K % 256; INT4 activations have no TMA kernel
        assertThat(GemmKernels.forShape(Format.INT4, Format.INT8, 4096, 28672, 8320, h100).path()).isEqualTo(GemmConfig.Path.MMA16832);
        assertThat(GemmKernels.forShape(Format.INT4, Format.INT4, 4096, 28672, 8192, h100).path()).isEqualTo(GemmConfig.Path.MMA16832);
        // Figure 14's k_proj: N = 1024 still takes the 256-wide wgmma tile.
        assertThat(GemmKernels.forShape(Format.FP16, Format.FP16, 4096, 1024, 8192, h100).bn()).isEqualTo(256);
        assertThatThrownBy(() -> GemmKernels.forShape(Format.FP16, Format.FP16, 4096, 1000, 8192, h100)).hasMessageContaining("BN");
    }

    @Test
    void checkShapesCoverAPartialTileAndManyTileRowsWithTheTimedBinary() {
        GemmConfig big = GemmKernels.forShape(Format.INT4, Format.FP16, 4096, 28672, 8192, TargetArch.forComputeCapability(9, 0));
        List<GemmConfig> shapes = GemmRunner.checkShapes(big);
        assertThat(shapes).extracting(GemmConfig::m).containsExactly(33, 4095);
        assertThat(shapes).allSatisfy(c -> {
            assertThat(c.defineFlags()).isEqualTo(big.defineFlags());   // same binary as the timed one
            assertThat(c.n()).isEqualTo(2 * big.bn());
        });
        GemmConfig small = GemmKernels.forShape(Format.INT4, Format.FP16, 32, 28672, 8192, TargetArch.forComputeCapability(9, 0));
        assertThat(GemmRunner.checkShapes(small)).extracting(GemmConfig::m).containsExactly(33, 32);
        assertThat(GemmRunner.checkShapes(small)).allSatisfy(c -> assertThat(c.k() % (64 * 4)).isZero());
    }
}
