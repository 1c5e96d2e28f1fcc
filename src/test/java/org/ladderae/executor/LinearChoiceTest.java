package org.ladderae.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ladderae.kernels.GemmConfig;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.TargetArch;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.SeededWeights;

class LinearChoiceTest {
    private static final TargetArch H100 = TargetArch.forComputeCapability(9, 0);

    private static LayerPlan.Linear qkv(String model, int batch, int seq, WeightFormat w, boolean full) {
        return LayerPlan.lower(LayerBench.graph(model, full, batch, seq, w)).linears().get(0);
    }

    @Test
    void upToSixteenRowsTheGemvRunsWithScalesInTheKernel() {
        LinearChoice c = LinearChoice.select(qkv("llama", 1, 1, WeightFormat.INT4, true), 1, GemvStage.HOLISTIC, H100, null);
        assertThat(c.usesGemm()).isFalse();
        assertThat(c.gemv().grouped()).isTrue();
        assertThat(c.gemv().m()).isEqualTo(1);
        assertThat(c.needsEpilogue(qkv("llama", 1, 1, WeightFormat.INT4, true))).isFalse();
        LinearChoice stage = LinearChoice.select(qkv("llama", 1, 1, WeightFormat.FP16, true), 1, GemvStage.TRANSFORM, H100, null);
        assertThat(stage.gemv().stage()).isEqualTo(GemvStage.TRANSFORM);
    }

    @Test
    void moreRowsTakeTheGemmWithNPaddedToItsTileAndRowScalesInTheEpilogue() {
        LayerPlan.Linear small = qkv("llama", 32, 1, WeightFormat.INT4, false);   // N = 192
        LinearChoice c = LinearChoice.select(small, 32, GemvStage.HOLISTIC, H100, null);
        assertThat(c.usesGemm()).isTrue();
        assertThat(c.gemm().weight()).isEqualTo(GemmConfig.Format.INT4);
        assertThat(c.paddedN()).isEqualTo(256);
        assertThat(c.needsEpilogue(small)).isTrue();
        assertThat(c.needsRowSums(small)).isTrue();
        LayerPlan.Linear full = qkv("llama", 1, 4096, WeightFormat.FP16, true);   // N = 10240
        LinearChoice f = LinearChoice.select(full, 4096, GemvStage.HOLISTIC, H100, null);
        assertThat(f.paddedN()).isEqualTo(10240);
        assertThat(f.needsEpilogue(full)).isFalse();
        // the small check layer reuses the full layer's kernel, at its own shape
        LinearChoice like = LinearChoice.select(qkv("llama", 1, 512, WeightFormat.FP16, false), 512, GemvStage.HOLISTIC, H100, f);
        assertThat(like.gemm().kernelName()).isEqualTo(f.gemm().kernelName());
        assertThat(like.gemm().m()).isEqualTo(512);
    }

    @Test
    void formatsWithoutAGemmAreRefusedWithTheReason() {
        assertThatThrownBy(() -> LinearChoice.select(qkv("llama", 1, 64, WeightFormat.MXFP8, false), 64, GemvStage.HOLISTIC, H100, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no GEMM kernel takes W_MXFP8");
        assertThatThrownBy(() -> LinearChoice.select(qkv("llama", 1, 64, WeightFormat.NF4, false), 64, GemvStage.TRANSFORM, H100, null))
                .hasMessageContaining("Figure 13 stages for W_FP16A_FP16, W_INT4A_FP16, W_INT1A_INT8 and W_MXFP8A_MXFP8 only");
    }

    @Test
    void figure13StagesReachTheGemmForItsFourPairs() {
        for (GemvStage s : GemvStage.values()) {
            LayerPlan.Linear l = qkv("llama", 1, 4096, WeightFormat.FP16, true);
            LinearChoice c = LinearChoice.select(l, 4096, s, H100, null);
            assertThat(c.usesGemm()).isTrue();
            assertThat(c.gemm().stage()).isEqualTo(s);
            if (s == GemvStage.HOLISTIC) assertThat(c.gemm().path()).isEqualTo(GemmConfig.Path.WGMMA_TMA);
            else assertThat(c.gemm().path()).as("the stages below holistic run the fixed mma.sync tile").isEqualTo(GemmConfig.Path.MMA16816);
            // the check layer keeps the stage through the full layer's choice
            LinearChoice like = LinearChoice.select(qkv("llama", 1, 512, WeightFormat.FP16, false), 512, s, H100, c);
            assertThat(like.gemm().stage()).isEqualTo(s);
        }
        LinearChoice base = LinearChoice.select(qkv("llama", 1, 4096, WeightFormat.INT4, true), 4096, GemvStage.BASELINE, H100, null);
        assertThat(base.gemm().kernelName()).endsWith("_base");
        assertThat(base.gemm().defineFlags()).contains("-DLADDER_STAGE=0");
    }

    @Test
    void figure13Seq4096HasAKernelAtEveryStage() {
        Object[][] pairs = {{WeightFormat.FP16, org.ladderae.formats.ActivationFormat.FP16}, {WeightFormat.INT4, org.ladderae.formats.ActivationFormat.FP16},
                {WeightFormat.MXFP8, org.ladderae.formats.ActivationFormat.MXFP8}, {WeightFormat.INT1, org.ladderae.formats.ActivationFormat.INT8}};
        for (Object[] p : pairs)
            for (GemvStage s : GemvStage.values())
                assertThat(LayerBench.whyNoKernel("llama", 1, 4096, (WeightFormat) p[0], (org.ladderae.formats.ActivationFormat) p[1], s))
                        .as("%s %s", p[0], s).isNull();
    }

    @Test
    void theBaselineGemmReadsThePlainPacking() {
        ModelGraph g = LayerBench.graph("llama", false, 1, 1, WeightFormat.INT4);
        StackedWeights s = StackedWeights.of(LayerPlan.lower(g).linears().get(0), SeededWeights.masterWeights(g, 5));
        GemmConfig base = GemmConfig.mma(GemmConfig.Format.INT4, GemmConfig.Format.FP16, 64, 256, 128, 32, 128, 1, 4, 4, 1).withStage(GemvStage.BASELINE);
        byte[] plain = s.gemmWeights(256, org.ladderae.formats.ActivationFormat.FP16, base);
        assertThat(plain).isEqualTo(org.ladderae.formats.BitPacking.pack(java.util.Arrays.copyOf(s.codes(), 256 * 128), 4));
        assertThat(s.gemmWeights(256, org.ladderae.formats.ActivationFormat.FP16, base.withStage(GemvStage.TRANSFORM))).isEqualTo(s.gemmWeights(256));
    }

    @Test
    void stackedWeightsAreTheMembersOneAfterAnother() {
        ModelGraph g = LayerBench.graph("llama", false, 1, 1, WeightFormat.INT4);
        Map<String, DenseTensor> master = SeededWeights.masterWeights(g, 3);
        LayerPlan.Linear l = LayerPlan.lower(g).linears().get(0);
        StackedWeights s = StackedWeights.of(l, master);
        assertThat(s.nTotal()).isEqualTo(192);
        assertThat(s.groups()).isEqualTo(1);
        StackedWeights k = StackedWeights.of(new LayerPlan.Linear("k", java.util.List.of(l.members().get(1)), l.input(), "x", 32, 128,
                WeightFormat.INT4, l.groupSize(), false, false, org.ladderae.formats.ActivationFormat.FP16), master);
        for (int i = 0; i < 32 * 128; i++) assertThat(s.codes()[128 * 128 + i]).isEqualTo(k.codes()[i]);
        assertThat(s.rowScales()[130]).isEqualTo(k.rowScales()[2]);
        byte[] gemm = s.gemmWeights(256);
        assertThat(gemm).hasSize(256 * 128 / 2);
        for (int i = 192 * 64; i < gemm.length; i++) assertThat(gemm[i]).isZero();   // padded rows are zero codes
    }
}
