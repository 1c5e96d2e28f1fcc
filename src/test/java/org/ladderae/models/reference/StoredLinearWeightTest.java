package org.ladderae.models.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ladderae.formats.Fp16;
import org.ladderae.formats.GroupQuantizer;
import org.ladderae.kernels.GemvReference;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.Op;

/** The decoded weights are the ones the GEMV kernels' own reference (GemvReference) multiplies by. */
class StoredLinearWeightTest {
    private static final int N = 16, K = 128, M = 3;

    private static double[] randomValues(int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[count];
        for (int i = 0; i < count; i++) v[i] = Fp16.round(r.nextDouble(-1, 1));
        return v;
    }

    private static DenseTensor linearOnDecoded(Op.Linear op, double[] a, StoredLinearWeight w) {
        return LinearOps.linear(op, DenseTensor.of(a, M, K), DenseTensor.of(w.decode(), N, K), null);
    }

    @Test
    void fp16WeightsOfFp16ValuesDecodeToThemselves() {
        double[] values = randomValues(N * K, 1);
        var op = new Op.Linear("fc", "x", "w", null, "y", N, K, WeightFormat.FP16, 0);
        assertThat(StoredLinearWeight.encode(op, values).decode()).containsExactly(values);
    }

    @Test
    void groupedInt4MatchesTheGemvReferenceOnTheSameQuantisedRows() {
        double[] values = randomValues(N * K, 2), a = randomValues(M * K, 3);
        var op = new Op.Linear("fc", "x", "w", null, "y", N, K, WeightFormat.INT4, 32);
        StoredLinearWeight w = StoredLinearWeight.encode(op, values);
        GroupQuantizer q = new GroupQuantizer(WeightFormat.INT4.elementCodec(), 32, true);
        GroupQuantizer.Quantized[] rows = new GroupQuantizer.Quantized[N];
        for (int r = 0; r < N; r++) rows[r] = q.quantizeRow(java.util.Arrays.copyOfRange(values, r * K, (r + 1) * K));
        double[] expected = GemvReference.gemvGrouped(a, rows, WeightFormat.INT4.elementCodec(), M, K);
        assertThat(linearOnDecoded(op, a, w).values()).containsExactly(expected, within(1e-12));
        // Quantisation did happen: 4-bit weights are not the FP16 ones.
        assertThat(w.decode()).isNotEqualTo(values);
    }

    @Test
    void mxfp8MatchesTheGemvReferenceOnTheSameCodesAndExponents() {
        double[] values = randomValues(N * K, 4), a = randomValues(M * K, 5);
        var op = new Op.Linear("fc", "x", "w", null, "y", N, K, WeightFormat.MXFP8, 0);
        StoredLinearWeight w = StoredLinearWeight.encode(op, values);
        byte[] exponents = new byte[w.mxExponents().length];
        for (int i = 0; i < exponents.length; i++) exponents[i] = (byte) w.mxExponents()[i];
        double[] expected = GemvReference.gemv(a, w.codes(), exponents, WeightFormat.MXFP8, M, N, K);
        assertThat(linearOnDecoded(op, a, w).values()).containsExactly(expected, within(1e-12));
    }

    @Test
    void nf4DecodesAsTableValueTimesAbsmaxScale() {
        double[] values = randomValues(N * K, 6);
        var op = new Op.Linear("fc", "x", "w", null, "y", N, K, WeightFormat.NF4, GroupQuantizer.WHOLE_ROW);
        StoredLinearWeight w = StoredLinearWeight.encode(op, values);
        assertThat(w.groupLength()).isEqualTo(K);
        double absmax = 0;
        for (int i = 0; i < K; i++) absmax = Math.max(absmax, Math.abs(values[i]));
        // The largest magnitude of row 0 maps to NF4's +-1 exactly, so it decodes to +-scale = +-absmax.
        double largestDecoded = 0;
        for (int i = 0; i < K; i++) largestDecoded = Math.max(largestDecoded, Math.abs(w.decode()[i]));
        assertThat(largestDecoded).isEqualTo(Fp16.round(absmax));
    }
}
