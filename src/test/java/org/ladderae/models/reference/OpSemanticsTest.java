package org.ladderae.models.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.DType;
import org.ladderae.models.Op;

/** Norms, activations, arithmetic and layout ops on tiny inputs whose answers are worked out by hand. */
class OpSemanticsTest {
    private static final double EXACT = 1e-12;

    @Test
    void rmsNormOfOneToFourDividesByRootMeanSquare() {
        // mean(1, 4, 9, 16) = 7.5, so y = x / sqrt(7.5) times the weight (eps 0 keeps the numbers exact).
        var op = new Op.RmsNorm("norm", "x", "w", "y", 0.0);
        DenseTensor y = NormOps.rmsNorm(op, DenseTensor.of(new double[] {1, 2, 3, 4}, 1, 4), DenseTensor.of(new double[] {1, 1, 2, 2}, 4));
        double r = 0.3651483716701107;
        assertThat(y.values()).containsExactly(new double[] {r, 2 * r, 2 * 3 * r, 2 * 4 * r}, within(EXACT));
    }

    @Test
    void rmsNormEpsilonSitsInsideTheRoot() {
        var op = new Op.RmsNorm("norm", "x", null, "y", 0.5);
        DenseTensor y = NormOps.rmsNorm(op, DenseTensor.of(new double[] {1, 2, 3, 4}, 4), null);
        assertThat(y.values()[0]).isCloseTo(1 / Math.sqrt(8.0), within(EXACT));
    }

    @Test
    void layerNormUsesTheBiasedVarianceThenScalesAndShifts() {
        // mean 2.5, variance 1.25 (divided by 4, as torch.nn.LayerNorm).
        var op = new Op.LayerNorm("ln", "x", "w", "b", "y", 0.0);
        DenseTensor y = NormOps.layerNorm(op, DenseTensor.of(new double[] {1, 2, 3, 4}, 4),
                DenseTensor.of(new double[] {2, 2, 2, 2}, 4), DenseTensor.of(new double[] {1, 1, 1, 1}, 4));
        double a = 1.3416407864998738, b = 0.4472135954999579;
        assertThat(y.values()).containsExactly(new double[] {1 - 2 * a, 1 - 2 * b, 1 + 2 * b, 1 + 2 * a}, within(EXACT));
    }

    @Test
    void softmaxOfOneTwoThree() {
        DenseTensor y = ElementwiseOps.softmax(new Op.Softmax("sm", "x", "y", -1), DenseTensor.of(new double[] {1, 2, 3}, 3));
        assertThat(y.values()).containsExactly(new double[] {0.09003057317038046, 0.24472847105479767, 0.6652409557748219}, within(EXACT));
    }

    @Test
    void softmaxAlongTheFirstAxisAndWithoutOverflow() {
        // Columns of [[1000, 0], [1000, ln 3]]: the first would overflow exp() without the max shift.
        DenseTensor y = ElementwiseOps.softmax(new Op.Softmax("sm", "x", "y", 0), DenseTensor.of(new double[] {1000, 0, 1000, Math.log(3)}, 2, 2));
        assertThat(y.values()).containsExactly(new double[] {0.5, 0.25, 0.5, 0.75}, within(EXACT));
    }

    @Test
    void siluGateIsSiluOfGateTimesUp() {
        var op = new Op.SiluGate("act", "g", "u", "y");
        DenseTensor y = ElementwiseOps.siluGate(op, DenseTensor.of(new double[] {1, 0, -1}, 3), DenseTensor.of(new double[] {2, 5, 1}, 3));
        assertThat(y.values()).containsExactly(new double[] {1.4621171572600098, 0, -0.2689414213699951}, within(EXACT));
    }

    @Test
    void geluIsBloomsTanhApproximation() {
        assertThat(ElementwiseOps.geluTanh(0)).isEqualTo(0.0);
        assertThat(ElementwiseOps.geluTanh(1)).isCloseTo(0.8411919903841787, within(EXACT));
        assertThat(ElementwiseOps.geluTanh(-1)).isCloseTo(-0.15880800961582126, within(EXACT));
        // The erf form gives 0.8413447460685429 at 1: the two are told apart well above rounding.
        assertThat(Math.abs(ElementwiseOps.geluTanh(1) - 0.8413447460685429)).isGreaterThan(1e-4);
    }

    @Test
    void erfAndExactGeluMatchReferenceValuesAcrossBothBranches() {
        // Values of erf from C99 libm (Python math.erf), on both sides of the |x| = 3 switch.
        assertThat(ElementwiseOps.erf(0.5)).isCloseTo(0.5204998778130465, within(EXACT));
        assertThat(ElementwiseOps.erf(1)).isCloseTo(0.8427007929497149, within(EXACT));
        assertThat(ElementwiseOps.erf(-2)).isCloseTo(-0.9953222650189527, within(EXACT));
        assertThat(ElementwiseOps.erf(2.99)).isCloseTo(0.9999764743969194, within(EXACT));
        assertThat(ElementwiseOps.erf(3.5)).isCloseTo(0.9999992569016276, within(EXACT));
        assertThat(ElementwiseOps.geluErf(1)).isCloseTo(0.8413447460685429, within(EXACT));
    }

    @Test
    void linearIsInputTimesWeightTransposedPlusBias() {
        var op = new Op.Linear("fc", "x", "w", "b", "y", 3, 2, WeightFormat.FP16, 0);
        DenseTensor y = LinearOps.linear(op, DenseTensor.of(new double[] {1, 2, -1, 0}, 2, 2),
                DenseTensor.of(new double[] {1, 0, 0, 1, 1, 1}, 3, 2), DenseTensor.of(new double[] {0, 0, 10}, 3));
        assertThat(y.shape()).containsExactly(2, 3);
        assertThat(y.values()).containsExactly(1, 2, 13, -1, 0, 9);
    }

    @Test
    void matMulBroadcastsTheBatchAxes() {
        // Two batches of [[1,2],[3,4]]-like matrices times one shared B = [[0,1],[1,0]] (swaps columns).
        DenseTensor y = LinearOps.matMul(new Op.MatMul("mm", "a", "b", "y"),
                DenseTensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2), DenseTensor.of(new double[] {0, 1, 1, 0}, 2, 2));
        assertThat(y.shape()).containsExactly(2, 2, 2);
        assertThat(y.values()).containsExactly(2, 1, 4, 3, 6, 5, 8, 7);
    }

    @Test
    void addAndMulBroadcastARowOverAMatrix() {
        DenseTensor m = DenseTensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3), row = DenseTensor.of(new double[] {10, 20, 30}, 3);
        assertThat(ElementwiseOps.broadcast("add", m, row, Double::sum).values()).containsExactly(11, 22, 33, 14, 25, 36);
        assertThat(ElementwiseOps.broadcast("mul", row, m, (a, b) -> a * b).values()).containsExactly(10, 40, 90, 40, 100, 180);
    }

    @Test
    void transposeAndReshapeMoveDataAsOnnxDoes() {
        DenseTensor x = DenseTensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        DenseTensor t = LayoutOps.transpose(new Op.Transpose("t", "x", "y", List.of(1, 0)), x);
        assertThat(t.shape()).containsExactly(3, 2);
        assertThat(t.values()).containsExactly(1, 4, 2, 5, 3, 6);
        DenseTensor r = LayoutOps.reshape(new Op.Reshape("r", "x", "y", List.of(0L, -1L, 1L)), x);
        assertThat(r.shape()).containsExactly(2, 3, 1);
        assertThat(r.values()).containsExactly(x.values());
    }

    @Test
    void castKeepsFloatsAndTruncatesToIntegers() {
        DenseTensor x = DenseTensor.of(new double[] {-1.5, 2.7, 0.1}, 3);
        assertThat(ElementwiseOps.cast(new Op.Cast("c", "x", "y", DType.FP16), x).values()).containsExactly(-1.5, 2.7, 0.1);
        assertThat(ElementwiseOps.cast(new Op.Cast("c", "x", "y", DType.INT32), x).values()).containsExactly(-1, 2, 0);
        assertThat(ElementwiseOps.cast(new Op.Cast("c", "x", "y", DType.BOOL), x).values()).containsExactly(1, 1, 1);
    }

    @Test
    void relativeFrobeniusErrorIsTheNormOfTheDifferenceOverTheReference() {
        assertThat(LayerComparison.relativeFrobeniusError(DenseTensor.of(new double[] {3, 4}, 2), DenseTensor.of(new double[] {3, 4.5}, 2)))
                .isCloseTo(0.1, within(EXACT));
    }
}
