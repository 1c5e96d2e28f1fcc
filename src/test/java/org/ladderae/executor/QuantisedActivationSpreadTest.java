package org.ladderae.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.LayerComparison;
import org.ladderae.models.reference.ReferenceExecutor;
import org.ladderae.models.reference.SeededWeights;
import org.ladderae.models.reference.StoredLinearWeight;

/**
 * Why the layer checks of quantised-activation graphs failed the fixed 1e-2 on the H100 (session 4: 11 LLaMA/BLOOM
 * W_INT4A_INT4 / W_INT2A_INT4 layers at M > 16, the encoders' W_INT4A_INT4 and the Conformer's W_INT4A_INT8) and what
 * the check does instead ({@link LayerComparison#QUANTISED_ACTIVATION_SPREAD_FACTOR}): the reference executor itself,
 * run with every intermediate stored in FP16, is that far from its double run, while FP16-activation graphs are not;
 * and the widened tolerance still fails a wrong weight scale or zero point on the small layers.
 */
class QuantisedActivationSpreadTest {
    private static final long SEED = 13;

    private static double spread(ModelGraph g) {
        Map<String, DenseTensor> inputs = SeededWeights.inputs(g, SEED), w = SeededWeights.decodedWeights(g, SEED);
        DenseTensor ref = ReferenceExecutor.run(g, inputs, w).values().iterator().next();
        return LayerComparison.fp16StorageSpread(g, inputs, w, ref);
    }

    @Test
    void fp16StorageAloneMovesQuantisedActivationLayersPastTheFixedTolerance() {
        // the session-4 H100 failures, reproduced without a GPU (GPU: 6.35e-2, 4.66e-2, 2.07e-2)
        assertThat(spread(LayerBench.graph("llama", false, 1, 64, WeightFormat.INT4, ActivationFormat.INT4))).isGreaterThan(3e-2);
        assertThat(spread(LayerBench.graph("bloom", false, 1, 64, WeightFormat.INT4, ActivationFormat.INT4))).isGreaterThan(3e-2);
        assertThat(spread(LayerBench.graph("bloom", false, 32, 1, WeightFormat.INT2, ActivationFormat.INT4))).isGreaterThan(1e-2);
        // Conformer check model, INT8 activations (GPU 1.10e-2 at both batches)
        assertThat(spread(EncoderBench.graph("conformer", false, 1, WeightFormat.INT4, ActivationFormat.INT8))).isGreaterThan(1e-2);
        // FP16 activations: the rounding stays rounding (~6e-4), far below the fixed tolerance
        assertThat(spread(LayerBench.graph("llama", false, 1, 64, WeightFormat.INT4, ActivationFormat.FP16))).isLessThan(1e-3);
        assertThat(spread(EncoderBench.graph("conformer", false, 1, WeightFormat.INT4, ActivationFormat.FP16))).isLessThan(1e-3);
    }

    @Test
    void theWidenedToleranceStillFailsAWrongScaleOrZeroPoint() {
        for (Object[] p : new Object[][] {{"llama", 1, 64, WeightFormat.INT4}, {"bloom", 32, 1, WeightFormat.INT4}, {"llama", 1, 128, WeightFormat.INT2},
                {"bloom", 1, 64, WeightFormat.INT2}}) {
            ModelGraph g = LayerBench.graph((String) p[0], false, (int) p[1], (int) p[2], (WeightFormat) p[3], ActivationFormat.INT4);
            Map<String, DenseTensor> inputs = SeededWeights.inputs(g, SEED), w = SeededWeights.decodedWeights(g, SEED);
            DenseTensor ref = ReferenceExecutor.run(g, inputs, w).values().iterator().next();
            double tol = LayerComparison.quantisedActivationTolerance(LayerComparison.FP16_LAYER_TOLERANCE, LayerComparison.fp16StorageSpread(g, inputs, w, ref));
            assertThat(tol).as(g.name()).isLessThan(0.15);
            // weight scale 10 % off (e.g. an FP16 scale read as the wrong row), zero point one code off (a mis-corrected centring)
            double scaled = wrongOutput(g, inputs, (op, s) -> { double[] v = s.decode(); for (int i = 0; i < v.length; i++) v[i] *= 1.1; return v; }, ref);
            double zeroOff = wrongOutput(g, inputs, (op, s) -> {
                double[] v = s.decode();
                for (int i = 0; i < v.length; i++) v[i] -= s.scales()[i / s.k()];   // (code - (zero + 1)) * scale, whole-row groups
                return v;
            }, ref);
            System.out.printf("%s: tolerance %.2e, scale x1.1 %.2e, zero + 1 %.2e%n", g.name(), tol, scaled, zeroOff);
            assertThat(scaled).as(g.name() + " scale 1.1").isGreaterThan(tol);
            assertThat(zeroOff).as(g.name() + " zero + 1").isGreaterThan(tol);
        }
    }

    /** Relative error of the FP16-storage run of {@code g} whose linear weights are {@code wrong}'s decoding instead of the true one. */
    private static double wrongOutput(ModelGraph g, Map<String, DenseTensor> inputs, BiFunction<Op.Linear, StoredLinearWeight, double[]> wrong, DenseTensor ref) {
        Map<String, DenseTensor> master = SeededWeights.masterWeights(g, SEED), w = new HashMap<>(SeededWeights.decodedWeights(g, SEED));
        for (Op.Linear op : g.linears()) {
            StoredLinearWeight s = StoredLinearWeight.encode(op, master.get(op.weight()).values());
            assertThat(s.groupLength()).isEqualTo(s.k());
            w.put(op.weight(), new DenseTensor(w.get(op.weight()).shape(), wrong.apply(op, s)));
        }
        DenseTensor out = ReferenceExecutor.runAll(g, inputs, w, ReferenceExecutor::roundToFp16).get(g.outputs().get(0));
        return LayerComparison.relativeFrobeniusError(ref, out);
    }

    @Test
    void theToleranceIsTheFixedOneOrTwiceTheSpread() {
        assertThat(LayerComparison.quantisedActivationTolerance(1e-2, 3e-3)).isEqualTo(1e-2);
        assertThat(LayerComparison.quantisedActivationTolerance(1e-2, 3e-2)).isEqualTo(6e-2);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LayerComparison.quantisedActivationTolerance(1e-2, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }

}
