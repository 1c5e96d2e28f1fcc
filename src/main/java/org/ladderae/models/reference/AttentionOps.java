package org.ladderae.models.reference;

import java.util.List;
import org.ladderae.models.Op;

/** BLOOM's fused-QKV split and scaled dot-product attention (causal, grouped-query, optional additive bias). */
final class AttentionOps {
    private AttentionOps() {}

    /**
     * Splits [B, S, heads*3*headDim] laid out per head as [heads][3][headDim], which is how HF BLOOM reads its
     * fused projection ({@code BloomAttention._split_heads}: {@code view(B, S, heads, 3, headDim)} then [..., 0/1/2, :]).
     */
    static List<DenseTensor> qkvSplit(Op.QkvSplit op, DenseTensor x) {
        int heads = op.heads(), d = op.headDim();
        if (x.rank() != 3 || x.dim(2) != 3 * heads * d) throw new IllegalArgumentException(op.name() + ": input " + x.shape() + " is not [B, S, 3*" + heads + "*" + d + "]");
        int tokens = x.dim(0) * x.dim(1), width = heads * d;
        double[][] parts = new double[3][tokens * width];
        for (int t = 0; t < tokens; t++)
            for (int h = 0; h < heads; h++)
                for (int which = 0; which < 3; which++)
                    System.arraycopy(x.values(), t * 3 * width + (h * 3 + which) * d, parts[which], t * width + h * d, d);
        List<Integer> shape = List.of(x.dim(0), x.dim(1), width);
        return List.of(new DenseTensor(shape, parts[0]), new DenseTensor(shape, parts[1]), new DenseTensor(shape, parts[2]));
    }

    /**
     * softmax(q k^T / sqrt(headDim) + bias, masked) v per batch and head, with the conventions of HF transformers:
     * <ul>
     * <li>Grouped-query attention as LLaMA's {@code repeat_kv}: kv head j serves the consecutive query heads
     *     j*g .. j*g + g-1, g = heads/kvHeads (so query head h reads kv head h / g).</li>
     * <li>Causal with the KV length equal to the sequence (no cache): query i sees keys 0..i. HF fills masked
     *     scores with the dtype's minimum before softmax; here they are left out, which is the same after exp.</li>
     * <li>The bias, when present, is BLOOM's ALiBi [B*heads, 1, S] added to the scaled scores
     *     ({@code alibi.baddbmm(q, k, beta=1, alpha=1/sqrt(headDim))} in {@code BloomAttention.forward}).</li>
     * </ul>
     * There is no padding mask: the IR's Attention takes none, so a padded batch is only handled through ALiBi's positions.
     */
    static DenseTensor attention(Op.Attention op, DenseTensor q, DenseTensor k, DenseTensor v, DenseTensor bias) {
        int heads = op.heads(), kvHeads = op.kvHeads(), d = op.headDim();
        if (heads % kvHeads != 0) throw new IllegalArgumentException(op.name() + ": " + heads + " heads do not group into " + kvHeads);
        int batch = q.dim(0), seq = q.dim(1), qWidth = heads * d, kvWidth = kvHeads * d, group = heads / kvHeads;
        if (q.rank() != 3 || q.dim(2) != qWidth) throw new IllegalArgumentException(op.name() + ": q " + q.shape() + " is not [B, S, " + heads + "*" + d + "]");
        for (DenseTensor t : List.of(k, v))
            if (!t.shape().equals(List.of(batch, seq, kvWidth))) throw new IllegalArgumentException(op.name() + ": " + t.shape() + " is not [" + batch + ", " + seq + ", " + kvWidth + "]");
        if (bias != null && !bias.shape().equals(List.of(batch * heads, 1, seq)))
            throw new IllegalArgumentException(op.name() + ": position bias " + bias.shape() + " is not [" + batch * heads + ", 1, " + seq + "]");
        double scale = 1 / Math.sqrt(d);
        double[] out = new double[q.size()], scores = new double[seq];
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++) {
                int kvh = h / group;
                for (int i = 0; i < seq; i++) {
                    int visible = op.causal() ? i + 1 : seq;
                    int qBase = (b * seq + i) * qWidth + h * d;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < visible; j++) {
                        int kBase = (b * seq + j) * kvWidth + kvh * d;
                        double s = 0;
                        for (int e = 0; e < d; e++) s += q.values()[qBase + e] * k.values()[kBase + e];
                        s *= scale;
                        if (bias != null) s += bias.values()[(b * heads + h) * seq + j];
                        scores[j] = s;
                        max = Math.max(max, s);
                    }
                    double sum = 0;
                    for (int j = 0; j < visible; j++) { scores[j] = Math.exp(scores[j] - max); sum += scores[j]; }
                    for (int j = 0; j < visible; j++) {
                        double p = scores[j] / sum;
                        int vBase = (b * seq + j) * kvWidth + kvh * d;
                        for (int e = 0; e < d; e++) out[qBase + e] += p * v.values()[vBase + e];
                    }
                }
            }
        return new DenseTensor(q.shape(), out);
    }
}
