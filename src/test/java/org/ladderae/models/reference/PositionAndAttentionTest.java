package org.ladderae.models.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ladderae.models.Op;

/** Rotary, ALiBi, the fused-QKV split and attention on cases small enough to check by hand. */
class PositionAndAttentionTest {
    private static final double EXACT = 1e-12;

    @Test
    void rotaryAtPositionZeroIsTheIdentity() {
        double[] x = {0.3, -1, 2, 5, 7, -4, 0.5, 1};
        DenseTensor y = PositionOps.rotary(new Op.Rotary("rope", "x", "y", 2, 4, 10000), DenseTensor.of(x.clone(), 1, 1, 8));
        assertThat(y.values()).containsExactly(x, within(EXACT));
    }

    @Test
    void rotaryRotatesElementIWithElementIPlusHalfTheHead() {
        // headDim 4: pair (0, 2) turns at frequency 1, pair (1, 3) at theta^(-1/2). With theta = (2/pi)^2 that
        // second pair turns by exactly 90 degrees at position 1: (x1, x3) -> (-x3, x1). Adjacent pairing
        // (Meta's original layout) would mix x0 with x1 instead, and fail this.
        double theta = Math.pow(2 / Math.PI, 2);
        double[] x = {0, 0, 0, 0, /* position 1: */ 1, 2, 3, 4};
        DenseTensor y = PositionOps.rotary(new Op.Rotary("rope", "x", "y", 1, 4, theta), DenseTensor.of(x, 1, 2, 4));
        double c = Math.cos(1), s = Math.sin(1);
        assertThat(y.values()).containsExactly(new double[] {0, 0, 0, 0, 1 * c - 3 * s, -4, 3 * c + 1 * s, 2}, within(EXACT));
    }

    @Test
    void alibiSlopesForEightHeadsArePowersOfOneHalf() {
        assertThat(PositionOps.alibiSlopes(8)).containsExactly(new double[] {0.5, 0.25, 0.125, 1 / 16.0, 1 / 32.0, 1 / 64.0, 1 / 128.0, 1 / 256.0}, within(EXACT));
    }

    @Test
    void alibiSlopesForHeadsNotAPowerOfTwoInterleaveTheNextPowersOddTerms() {
        // 6 heads: 4 heads' slopes 2^-2, 2^-4, 2^-6, 2^-8, then 8 heads' slopes 2^-1 and 2^-3 (odd powers of 2^-1).
        assertThat(PositionOps.alibiSlopes(6)).containsExactly(new double[] {0.25, 1 / 16.0, 1 / 64.0, 1 / 256.0, 0.5, 0.125}, within(EXACT));
        double[] bloom176b = PositionOps.alibiSlopes(112);
        assertThat(bloom176b[0]).isCloseTo(Math.pow(2, -1 / 8.0), within(EXACT));
        assertThat(bloom176b[64]).isCloseTo(Math.pow(2, -1 / 16.0), within(EXACT));
        assertThat(bloom176b[111]).isCloseTo(Math.pow(2, -95 / 16.0), within(EXACT));
    }

    @Test
    void alibiBiasIsSlopeTimesPositionCountingOnlyRealTokens() {
        // Two heads (slopes 2^-4, 2^-8); batch 0 unpadded, batch 1 left-padded by one token.
        DenseTensor mask = DenseTensor.of(new double[] {1, 1, 1, 0, 1, 1}, 2, 3);
        DenseTensor bias = PositionOps.alibi(new Op.Alibi("alibi", "m", "y", 2), mask);
        assertThat(bias.shape()).containsExactly(4, 1, 3);
        double a = 1 / 16.0, b = 1 / 256.0;
        assertThat(bias.values()).containsExactly(0, a, 2 * a, 0, b, 2 * b, 0, 0, a, 0, 0, b);
    }

    @Test
    void qkvSplitReadsBloomsPerHeadLayout() {
        // 2 heads, headDim 2: [q0 q0 k0 k0 v0 v0 q1 q1 k1 k1 v1 v1].
        double[] x = new double[12];
        for (int i = 0; i < 12; i++) x[i] = i;
        List<DenseTensor> qkv = AttentionOps.qkvSplit(new Op.QkvSplit("split", "x", "q", "k", "v", 2, 2), DenseTensor.of(x, 1, 1, 12));
        assertThat(qkv.get(0).values()).containsExactly(0, 1, 6, 7);
        assertThat(qkv.get(1).values()).containsExactly(2, 3, 8, 9);
        assertThat(qkv.get(2).values()).containsExactly(4, 5, 10, 11);
    }

    @Test
    void attentionOverOneTokenReturnsItsKvHeadsValue() {
        // 4 query heads on 2 kv heads, headDim 2: heads 0 and 1 read kv head 0, heads 2 and 3 kv head 1 (repeat_kv).
        var op = new Op.Attention("attn", "q", "k", "v", null, "y", 4, 2, 2, true);
        DenseTensor q = DenseTensor.of(new double[] {1, -2, 3, 0.5, -1, 4, 2, 2}, 1, 1, 8);
        DenseTensor k = DenseTensor.of(new double[] {0.1, 0.2, 0.3, 0.4}, 1, 1, 4);
        DenseTensor v = DenseTensor.of(new double[] {10, 11, 20, 21}, 1, 1, 4);
        assertThat(AttentionOps.attention(op, q, k, v, null).values()).containsExactly(new double[] {10, 11, 10, 11, 20, 21, 20, 21}, within(EXACT));
    }

    @Test
    void causalAttentionHidesLaterKeys() {
        // headDim 1 (scale 1): query 1 = 1 meets keys 0 and ln 3, so weights 1/4 and 3/4 on values 4 and 8 -> 7.
        // Query 0 sees only key 0 when causal, so it returns value 0 = 4; without the mask it would also give 7.
        DenseTensor q = DenseTensor.of(new double[] {1, 1}, 1, 2, 1), k = DenseTensor.of(new double[] {0, Math.log(3)}, 1, 2, 1),
                v = DenseTensor.of(new double[] {4, 8}, 1, 2, 1);
        var causal = new Op.Attention("attn", "q", "k", "v", null, "y", 1, 1, 1, true);
        var full = new Op.Attention("attn", "q", "k", "v", null, "y", 1, 1, 1, false);
        assertThat(AttentionOps.attention(causal, q, k, v, null).values()).containsExactly(new double[] {4, 7}, within(EXACT));
        assertThat(AttentionOps.attention(full, q, k, v, null).values()).containsExactly(new double[] {7, 7}, within(EXACT));
    }

    @Test
    void attentionScalesScoresByTheRootOfTheHeadDim() {
        // headDim 4, q . k1 = 4 ln 3 (scaled: 2 ln 3 -> weights 1/10, 9/10 on values 0 and 10) against k0 = 0.
        double l = Math.log(3);
        DenseTensor q = DenseTensor.of(new double[] {0, 0, 0, 0, 1, 1, 1, 1}, 1, 2, 4);
        DenseTensor k = DenseTensor.of(new double[] {0, 0, 0, 0, l, l, l, l}, 1, 2, 4);
        DenseTensor v = DenseTensor.of(new double[] {0, 0, 0, 0, 10, 10, 10, 10}, 1, 2, 4);
        DenseTensor y = AttentionOps.attention(new Op.Attention("attn", "q", "k", "v", null, "y", 1, 1, 4, true), q, k, v, null);
        assertThat(y.values()[4]).isCloseTo(9, within(EXACT));
    }

    @Test
    void positionBiasIsAddedToTheScaledScores() {
        // q = 0, so the scores are the bias alone: 0 and ln 3 on keys 0 and 1 -> 1/4 and 3/4 of values 4 and 8.
        DenseTensor zeros = DenseTensor.of(new double[] {0, 0}, 1, 2, 1), v = DenseTensor.of(new double[] {4, 8}, 1, 2, 1);
        DenseTensor bias = DenseTensor.of(new double[] {0, Math.log(3)}, 1, 1, 2);
        var op = new Op.Attention("attn", "q", "k", "v", "bias", "y", 1, 1, 1, true);
        assertThat(AttentionOps.attention(op, zeros, zeros, v, bias).values()).containsExactly(new double[] {4, 7}, within(EXACT));
    }

    @Test
    void groupedQueryAttentionEqualsMultiHeadWithRepeatedKvHeads() {
        int seq = 5, d = 4, heads = 6, kvHeads = 2, group = heads / kvHeads;
        DenseTensor q = noise(seq * heads * d, 1, 1, seq, heads * d), k = noise(seq * kvHeads * d, 2, 1, seq, kvHeads * d),
                v = noise(seq * kvHeads * d, 3, 1, seq, kvHeads * d);
        DenseTensor kRep = repeatKv(k, seq, kvHeads, group, d), vRep = repeatKv(v, seq, kvHeads, group, d);
        DenseTensor gqa = AttentionOps.attention(new Op.Attention("gqa", "q", "k", "v", null, "y", heads, kvHeads, d, true), q, k, v, null);
        DenseTensor mha = AttentionOps.attention(new Op.Attention("mha", "q", "k", "v", null, "y", heads, heads, d, true), q, kRep, vRep, null);
        assertThat(gqa.values()).containsExactly(mha.values(), within(EXACT));
    }

    /** HF's repeat_kv: kv head j becomes heads j*group .. j*group + group-1. */
    private static DenseTensor repeatKv(DenseTensor kv, int seq, int kvHeads, int group, int d) {
        double[] out = new double[seq * kvHeads * group * d];
        for (int s = 0; s < seq; s++)
            for (int h = 0; h < kvHeads * group; h++)
                System.arraycopy(kv.values(), (s * kvHeads + h / group) * d, out, (s * kvHeads * group + h) * d, d);
        return DenseTensor.of(out, 1, seq, kvHeads * group * d);
    }

    private static DenseTensor noise(int n, long seed, Integer... shape) {
        java.util.Random r = new java.util.Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
        return DenseTensor.of(v, shape);
    }
}
