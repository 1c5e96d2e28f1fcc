package org.ladderae.models.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.CompiledModelWriter;
import org.ladderae.models.LlmLayers;
import org.ladderae.models.ModelGraph;

/** Whole small LLaMA and BLOOM layers end to end, with structural checks that cannot pass by accident. */
class LlmLayerReferenceTest {
    private static final long SEED = 20240710;

    private static DenseTensor run(ModelGraph g, Map<String, DenseTensor> inputs, Map<String, DenseTensor> weights) {
        return ReferenceExecutor.run(g, inputs, weights).get("output");
    }

    private static void zero(Map<String, DenseTensor> weights, String... names) {
        for (String n : names) java.util.Arrays.fill(weights.get(n).values(), 0);
    }

    /** Finite outputs of the input's shape that differ from the input: attention and MLP contribute with real weights. */
    private static void assertRunsAndChangesItsInput(ModelGraph g) {
        Map<String, DenseTensor> inputs = SeededWeights.inputs(g, SEED);
        DenseTensor out = run(g, inputs, SeededWeights.decodedWeights(g, SEED));
        assertThat(out.shape()).containsExactly(2, 6, 128);
        assertThat(out.allFinite()).isTrue();
        assertThat(LayerComparison.relativeFrobeniusError(inputs.get("hidden_states"), out)).isGreaterThan(0.05);
    }

    /** With the named weights zero, output = input exactly. */
    private static void assertIdentityWith(ModelGraph g, String... zeroed) {
        Map<String, DenseTensor> inputs = SeededWeights.inputs(g, SEED), weights = SeededWeights.decodedWeights(g, SEED);
        zero(weights, zeroed);
        assertThat(run(g, inputs, weights).values()).containsExactly(inputs.get("hidden_states").values());
    }

    @Test
    void llamaLayerRunsToFiniteOutputsThatDifferFromItsInput() {
        assertRunsAndChangesItsInput(LlmLayers.llamaSmall(2, 6));
    }

    @Test
    void llamaLayerWithZeroOutputProjectionsIsTheIdentity() {
        // Both residual branches end in o_proj and down_proj: with those zero, output = input + 0 + 0 exactly,
        // which needs the adds to read the residual stream (not the normed one) and nothing else to leak in.
        assertIdentityWith(LlmLayers.llamaSmall(2, 6), "self_attn.o_proj.weight", "mlp.down_proj.weight");
    }

    @Test
    void bloomBlockRunsToFiniteOutputsThatDifferFromItsInput() {
        assertRunsAndChangesItsInput(LlmLayers.bloomSmall(2, 6));
    }

    @Test
    void bloomBlockWithZeroOutputProjectionsIsTheIdentity() {
        // BLOOM's projections carry biases, so the bias of each output projection is zeroed too.
        assertIdentityWith(LlmLayers.bloomSmall(2, 6), "self_attention.dense.weight", "self_attention.dense.bias",
                "mlp.dense_4h_to_h.weight", "mlp.dense_4h_to_h.bias");
    }

    @Test
    void aLaterTokenNeverChangesAnEarlierTokensOutput() {
        // Causality through the whole layer (mask, rotary positions, ALiBi): perturb the last token only.
        for (ModelGraph g : new ModelGraph[] {LlmLayers.llamaSmall(1, 5), LlmLayers.bloomSmall(1, 5)}) {
            Map<String, DenseTensor> inputs = SeededWeights.inputs(g, SEED), weights = SeededWeights.decodedWeights(g, SEED);
            DenseTensor before = run(g, inputs, weights);
            double[] h = inputs.get("hidden_states").values();
            for (int i = 4 * 128; i < 5 * 128; i++) h[i] += 1;
            DenseTensor after = run(g, inputs, weights);
            assertThat(java.util.Arrays.copyOf(after.values(), 4 * 128)).as(g.name()).containsExactly(java.util.Arrays.copyOf(before.values(), 4 * 128));
            assertThat(after.values()[4 * 128]).as(g.name()).isNotEqualTo(before.values()[4 * 128]);
        }
    }

    @Test
    void batchElementsAreComputedIndependently() {
        // Batch 2 vs each sequence alone: catches batch/head index mix-ups in attention and ALiBi's [B*heads] layout.
        ModelGraph pair = LlmLayers.bloomSmall(2, 3), single = LlmLayers.bloomSmall(1, 3);
        Map<String, DenseTensor> weights = SeededWeights.decodedWeights(pair, SEED);
        Map<String, DenseTensor> inputs = SeededWeights.inputs(pair, SEED);
        DenseTensor both = run(pair, inputs, weights);
        int tokens = 3 * 128;
        double[] second = java.util.Arrays.copyOfRange(inputs.get("hidden_states").values(), tokens, 2 * tokens);
        DenseTensor alone = run(single, Map.of("hidden_states", DenseTensor.of(second, 1, 3, 128),
                "attention_mask", DenseTensor.of(new double[] {1, 1, 1}, 1, 3)), weights);
        assertThat(java.util.Arrays.copyOfRange(both.values(), tokens, 2 * tokens)).containsExactly(alone.values(), org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void everyWeightFormatRunsTheSmallLayersOnShapesTheKernelsAccept() {
        ModelGraph llamaFp16 = LlmLayers.llamaSmall(1, 4);
        Map<String, DenseTensor> inputs = SeededWeights.inputs(llamaFp16, SEED);
        DenseTensor fp16 = run(llamaFp16, inputs, SeededWeights.decodedWeights(llamaFp16, SEED));
        for (WeightFormat f : WeightFormat.values()) {
            for (ModelGraph base : new ModelGraph[] {llamaFp16, LlmLayers.bloomSmall(1, 4)}) {
                ModelGraph g = base.withLinearFormat(f, 128);
                CompiledModelWriter.checkKernelShapes(g);  // the small sizes suit every GEMV kernel's K unit
                assertThat(run(g, SeededWeights.inputs(g, SEED), SeededWeights.decodedWeights(g, SEED)).allFinite()).as(g.name() + " " + f).isTrue();
            }
        }
        // The low-bit reference really uses the quantised weights: it departs from the FP16 layer, more with fewer bits.
        double[] errors = new double[3];
        WeightFormat[] fewerBits = {WeightFormat.INT8, WeightFormat.INT4, WeightFormat.INT2};
        for (int i = 0; i < fewerBits.length; i++) {
            ModelGraph g = llamaFp16.withLinearFormat(fewerBits[i], 128);
            errors[i] = LayerComparison.relativeFrobeniusError(fp16, run(g, inputs, SeededWeights.decodedWeights(g, SEED)));
        }
        assertThat(errors[0]).isGreaterThan(1e-6).isLessThan(errors[1]);
        assertThat(errors[1]).isLessThan(errors[2]);
    }

    @Test
    void storingEveryIntermediateInFp16StaysWellInsideTheLayerTolerance() {
        // What an FP16 GPU layer must at least lose: each op's output rounded to FP16. It should cost a few 1e-4,
        // so the 1e-2 tolerance leaves room for FP16 accumulation without hiding a wrong convention.
        for (ModelGraph g : new ModelGraph[] {LlmLayers.llamaSmall(1, 8), LlmLayers.bloomSmall(1, 8)}) {
            Map<String, DenseTensor> inputs = SeededWeights.inputs(g, SEED), weights = SeededWeights.decodedWeights(g, SEED);
            DenseTensor exact = run(g, inputs, weights);
            DenseTensor fp16 = ReferenceExecutor.runAll(g, inputs, weights, ReferenceExecutor::roundToFp16).get("output");
            double err = LayerComparison.relativeFrobeniusError(exact, fp16);
            assertThat(err).as(g.name()).isGreaterThan(0).isLessThan(LayerComparison.FP16_LAYER_TOLERANCE / 5);
        }
    }
}
