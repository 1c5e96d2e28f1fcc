package org.ladderae.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.ladderae.formats.GroupQuantizer;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.kernels.ActFormat;
import org.ladderae.kernels.GemmConfig;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.TargetArch;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.DType;
import org.ladderae.models.LlmLayers;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.Tensor;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.LayerComparison;
import org.ladderae.models.reference.ReferenceExecutor;
import org.ladderae.models.reference.SeededWeights;

class LayerPlanTest {
    @Test
    void llamaLayerFusesQkvGateUpAndTheResidualIntoTheNorm() {
        LayerPlan p = LayerPlan.lower(LlmLayers.llamaSmall(2, 3));
        assertThat(p.rows()).isEqualTo(6);
        assertThat(p.steps().stream().map(s -> s.getClass().getSimpleName()).toList()).containsExactly(
                "Norm", "Linear", "Rotary", "Rotary", "Attention", "Linear", "Norm", "Linear", "SiluGate", "Linear", "Add");
        LayerPlan.Linear qkv = p.linears().get(0);
        assertThat(qkv.members()).extracting(Op.Linear::name).containsExactly("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj");
        assertThat(qkv.nTotal()).isEqualTo(128 + 32 + 32);
        LayerPlan.Attention at = (LayerPlan.Attention) p.steps().get(4);
        assertThat(List.of(at.q().colOffset(), at.k().colOffset(), at.v().colOffset())).containsExactly(0, 128, 160);
        assertThat(at.q().ld()).isEqualTo(192);
        assertThat(at.kvHeads()).isEqualTo(2);
        LayerPlan.Rotary rk = (LayerPlan.Rotary) p.steps().get(3);
        assertThat(rk.x().colOffset()).isEqualTo(128);
        assertThat(rk.heads()).isEqualTo(2);
        LayerPlan.Norm post = (LayerPlan.Norm) p.steps().get(6);
        assertThat(post.sumOut()).isEqualTo("h1");
        assertThat(post.residual().buffer()).isEqualTo("attn_out");
        assertThat(p.linears().get(2).nTotal()).isEqualTo(2 * 384);
        LayerPlan.SiluGate sg = (LayerPlan.SiluGate) p.steps().get(8);
        assertThat(sg.up().colOffset()).isEqualTo(384);
        assertThat(p.output()).isEqualTo("output");
    }

    @Test
    void bloomBlockSplitsQkvByStridedViewsAndPutsGeluInTheEpilogue() {
        LayerPlan p = LayerPlan.lower(LlmLayers.bloomSmall(1, 4));
        assertThat(p.steps().stream().map(s -> s.getClass().getSimpleName()).toList()).containsExactly(
                "Norm", "Linear", "Attention", "Linear", "Norm", "Linear", "Linear", "Add");
        LayerPlan.Attention at = (LayerPlan.Attention) p.steps().get(2);
        int d = 32;
        assertThat(List.of(at.q().colOffset(), at.k().colOffset(), at.v().colOffset())).containsExactly(0, d, 2 * d);
        assertThat(at.q().headStride()).isEqualTo(3 * d);
        assertThat(at.alibiSlopes()).hasSize(4).containsExactly(0.0625 * 4, 0.0625, 0.015625, 0.00390625);
        assertThat(p.linears().get(2).gelu()).isTrue();
        assertThat(p.linears().get(0).hasBias()).isTrue();
        assertThat(p.maskInput()).isEqualTo("attention_mask");
    }

    @Test
    void anOpWithoutKernelIsRejectedByName() {
        ModelGraph g = ModelGraph.builder("softmax-only").input(Tensor.of("x", DType.FP16, 1, 2, 8))
                .op(new Op.Softmax("sm", "x", "y", -1)).output("y").build();
        assertThatThrownBy(() -> LayerPlan.lower(g)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Softmax 'sm'");
    }

    /** The lowered plan, run with the kernels' indexing on the CPU, is the reference layer (so views, offsets and fusions are right). */
    @ParameterizedTest
    @CsvSource({"llama,1,1,FP16,false", "llama,2,5,FP16,false", "llama,1,6,INT4,true", "llama,2,3,NF4,true", "llama,1,2,MXFP8,false",
            "bloom,1,1,FP16,false", "bloom,2,5,INT4,true", "bloom,1,7,FP8_E5M2,false", "bloom,1,3,INT1,false",
            "bloom,1,3,INT1,true", "bloom,2,2,INT2,true", "llama,1,3,INT8,true"})
    void loweredPlanMatchesTheReference(String model, int batch, int seq, WeightFormat w, boolean gemmEpilogue) {
        ModelGraph g = LayerBench.graph(model, false, batch, seq, w);
        long seed = 7;
        Map<String, DenseTensor> inputs = SeededWeights.inputs(g, seed);
        DenseTensor ref = ReferenceExecutor.run(g, inputs, SeededWeights.decodedWeights(g, seed)).get("output");
        DenseTensor emulated = new PlanEmulator(g, SeededWeights.masterWeights(g, seed), gemmEpilogue).run(inputs);
        assertThat(LayerComparison.relativeFrobeniusError(ref, emulated)).isLessThan(1e-9);
        assertThat(ref.allFinite()).isTrue();
    }

    /**
     * Quantised activations: the plan (quantisers fused into the norms and the SiLU gate, a standalone one elsewhere, the
     * integer linears' dequantising epilogue on codes) computes the reference layer with its quantisation steps.
     */
    @ParameterizedTest
    @CsvSource({"llama,1,1,INT1,INT8,false", "llama,2,3,INT4,INT4,false", "llama,1,2,MXFP8,MXFP8,false", "llama,4,8,MXFP8,MXFP8,false",
            "llama,1,5,INT8,INT8,false", "bloom,1,1,INT2,INT8,false", "bloom,2,3,INT1,INT4,false", "bloom,1,20,MXFP8,MXFP8,false",
            "llama,1,5,INT8,INT8,true", "bloom,2,3,INT1,INT8,true", "llama,2,3,INT4,INT4,true"})
    void quantizedActivationPlanMatchesTheReference(String model, int batch, int seq, WeightFormat w, ActivationFormat a, boolean gemmEpilogue) {
        ModelGraph g = LayerBench.graph(model, false, batch, seq, w, a);
        long seed = 9;
        Map<String, DenseTensor> inputs = SeededWeights.inputs(g, seed);
        DenseTensor ref = ReferenceExecutor.run(g, inputs, SeededWeights.decodedWeights(g, seed)).get("output");
        DenseTensor emulated = new PlanEmulator(g, SeededWeights.masterWeights(g, seed), gemmEpilogue).run(inputs);
        assertThat(LayerComparison.relativeFrobeniusError(ref, emulated)).isLessThan(1e-9);
        assertThat(ref.allFinite()).isTrue();
        // The quantisation is really there: the same layer with FP16 activations differs.
        ModelGraph fp16 = LayerBench.graph(model, false, batch, seq, w);
        DenseTensor unquantised = ReferenceExecutor.run(fp16, inputs, SeededWeights.decodedWeights(fp16, seed)).get("output");
        assertThat(LayerComparison.relativeFrobeniusError(unquantised, ref)).isGreaterThan(1e-6);
    }

    @Test
    void quantisersFuseIntoTheNormsAndTheSiluGate() {
        LayerPlan llama = LayerPlan.lower(LayerBench.graph("llama", false, 1, 1, WeightFormat.INT4, ActivationFormat.INT8));
        assertThat(llama.linears()).allMatch(l -> l.acts() == ActivationFormat.INT8 && llama.buffers().get(l.input().buffer()).layout() == ActivationLayout.INT8);
        assertThat(llama.steps().stream().filter(s -> s instanceof LayerPlan.Norm n && llama.buffers().get(n.out()).layout() == ActivationLayout.INT8)).hasSize(2);
        assertThat(llama.steps().stream().filter(s -> s instanceof LayerPlan.SiluGate sg && llama.buffers().get(sg.out()).layout() == ActivationLayout.INT8)).hasSize(1);
        assertThat(llama.steps().stream().filter(s -> s instanceof LayerPlan.Quantize)).hasSize(1);   // the attention output (o_proj)
        LayerPlan bloom = LayerPlan.lower(LayerBench.graph("bloom", false, 2, 16, WeightFormat.MXFP8, ActivationFormat.MXFP8));
        assertThat(bloom.linears()).allMatch(l -> bloom.buffers().get(l.input().buffer()).layout() == ActivationLayout.MXFP8);   // M = 32: the GEMM's layout
        assertThat(bloom.steps().stream().filter(s -> s instanceof LayerPlan.Quantize)).hasSize(2);   // attention output, GeLU output
        LayerPlan decode = LayerPlan.lower(LayerBench.graph("bloom", false, 1, 1, WeightFormat.MXFP8, ActivationFormat.MXFP8));
        assertThat(decode.linears()).allMatch(l -> decode.buffers().get(l.input().buffer()).layout() == ActivationLayout.MXFP8_AS_FP16);
    }

    @Test
    void quantizedLinearsPickTheIntegerKernelsOrSayWhyNot() {
        TargetArch h100 = TargetArch.forComputeCapability(9, 0);
        LayerPlan gemv = LayerPlan.lower(LayerBench.graph("llama", false, 1, 1, WeightFormat.INT1, ActivationFormat.INT8));
        for (LayerPlan.Linear l : gemv.linears()) {
            LinearChoice c = LinearChoice.select(l, gemv.rows(), GemvStage.HOLISTIC, h100, null);
            assertThat(c.gemv().acts()).isEqualTo(ActFormat.INT8);
            assertThat(c.gemv().int32Output()).isTrue();
            assertThat(c.needsEpilogue(l)).isTrue();
        }
        LayerPlan mx = LayerPlan.lower(LayerBench.graph("llama", false, 1, 1, WeightFormat.MXFP8, ActivationFormat.MXFP8));
        assertThat(LinearChoice.select(mx.linears().get(0), 1, GemvStage.HOLISTIC, h100, null).gemv().acts()).isEqualTo(ActFormat.FP16);
        // M > 16: every INTx x INT8 / INT4 pair runs the mma.sync integer GEMM writing INT32 sums (wgmma's s8 kernel writes FP16)
        for (WeightFormat w : List.of(WeightFormat.INT8, WeightFormat.INT4, WeightFormat.INT2, WeightFormat.INT1))
            for (ActivationFormat a : List.of(ActivationFormat.INT8, ActivationFormat.INT4)) {
                if (w == WeightFormat.INT8 && a == ActivationFormat.INT4) continue;   // no kernel takes it (the GEMV neither)
                for (int rows : new int[] {32, 4096}) {
                    LayerPlan p = LayerPlan.lower(LayerBench.graph("llama", false, 1, rows, w, a));
                    for (LayerPlan.Linear l : p.linears()) {
                        LinearChoice c = LinearChoice.select(l, rows, GemvStage.HOLISTIC, h100, null);
                        assertThat(c.gemm().path()).as("%s %s M=%d", w, a, rows).isEqualTo(GemmConfig.Path.MMA16832);
                        assertThat(c.gemm().variant()).isEqualTo(GemmConfig.Variant.INT32_OUT);
                        assertThat(c.gemm().kernelName()).endsWith("_i32out");
                        assertThat(c.zeroShift(l)).isEqualTo(w == WeightFormat.INT8 ? 128.0 : 0.0);   // signed storage of INT8 codes
                    }
                }
            }
        LayerPlan int8Int4 = LayerPlan.lower(LayerBench.graph("llama", false, 32, 1, WeightFormat.INT8, ActivationFormat.INT4));
        assertThatThrownBy(() -> LinearChoice.select(int8Int4.linears().get(0), 32, GemvStage.HOLISTIC, h100, null)).hasMessageContaining("W_INT8A_INT4");
    }

    @Test
    void unsignedCodesWithFp16ActivationsRunTheCentredGemm() {
        TargetArch h100 = TargetArch.forComputeCapability(9, 0);
        for (WeightFormat w : List.of(WeightFormat.INT8, WeightFormat.INT4, WeightFormat.INT2, WeightFormat.INT1))
            for (int rows : new int[] {32, 4096}) {
                LayerPlan p = LayerPlan.lower(LayerBench.graph("bloom", false, 1, rows, w));
                for (LayerPlan.Linear l : p.linears()) {
                    LinearChoice c = LinearChoice.select(l, rows, GemvStage.HOLISTIC, h100, null);
                    assertThat(c.gemm().variant()).as("%s M=%d", w, rows).isEqualTo(GemmConfig.Variant.CENTRED_CODES);
                    assertThat(c.gemm().defineFlags()).contains("-DW_CENTRED=1");
                    assertThat(c.zeroShift(l)).isEqualTo(1 << (w.bits() - 1));
                    assertThat(c.needsEpilogue(l)).isTrue();
                }
            }
        // INT4 at M = 4096 keeps the TMA kernel (its INT4 decode is centred too)
        LayerPlan big = LayerPlan.lower(LayerBench.graph("llama", false, 1, 4096, WeightFormat.INT4));
        assertThat(LinearChoice.select(big.linears().get(0), 4096, GemvStage.HOLISTIC, h100, null).gemm().path()).isEqualTo(GemmConfig.Path.WGMMA_TMA);
        // FP16 and NF4 (symmetric codes) stay plain
        LayerPlan fp16 = LayerPlan.lower(LayerBench.graph("llama", false, 1, 4096, WeightFormat.FP16));
        LinearChoice f = LinearChoice.select(fp16.linears().get(0), 4096, GemvStage.HOLISTIC, h100, null);
        assertThat(f.gemm().variant()).isEqualTo(GemmConfig.Variant.PLAIN);
        assertThat(f.zeroShift(fp16.linears().get(0))).isZero();
    }

    @Test
    void graphFormatsUseWholeRowScalesWhereTheFormatHasScales() {
        assertThat(LayerBench.graph("llama", false, 1, 1, WeightFormat.INT4).linears().get(0).groupSize()).isEqualTo(GroupQuantizer.WHOLE_ROW);
        assertThat(LayerBench.graph("bloom", false, 1, 1, WeightFormat.FP8_E5M2).linears().get(0).groupSize()).isZero();
        assertThatThrownBy(() -> LayerBench.graph("resnet", false, 1, 1, WeightFormat.FP16)).hasMessageContaining("llama or bloom");
    }
}
