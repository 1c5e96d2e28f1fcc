package org.ladderae.models.reference;

import java.util.List;
import org.ladderae.models.Op;

/** Rotary embedding (LLaMA) and the ALiBi bias (BLOOM). */
public final class PositionOps {
    private PositionOps() {}

    /**
     * Rotary embedding as HF transformers' LLaMA applies it ({@code LlamaRotaryEmbedding} and
     * {@code apply_rotary_pos_emb} in models/llama/modeling_llama.py): position p is the token's index in the
     * sequence (no KV cache, so positions start at 0); inv_freq[i] = theta^(-2i/headDim) for i < headDim/2;
     * the pairs rotated together are (i, i + headDim/2), not adjacent elements, because HF uses
     * {@code rotate_half(x) = cat(-x2, x1)} with cos/sin repeated as cat(freqs, freqs):
     * out[i] = x[i] cos - x[i+h] sin, out[i+h] = x[i+h] cos + x[i] sin, h = headDim/2.
     * (Meta's original code rotates adjacent pairs; HF permutes the q/k weights at conversion to match, so
     * HF-layout weights need HF's convention.)
     */
    static DenseTensor rotary(Op.Rotary op, DenseTensor x) {
        int d = op.headDim(), half = d / 2, heads = op.heads();
        if (x.rank() != 3 || x.dim(2) != heads * d) throw new IllegalArgumentException(op.name() + ": input " + x.shape() + " is not [B, S, " + heads + "*" + d + "]");
        int batch = x.dim(0), seq = x.dim(1), width = heads * d;
        double[] in = x.values(), out = new double[in.length];
        for (int s = 0; s < seq; s++) {
            for (int i = 0; i < half; i++) {
                double angle = s * Math.pow(op.theta(), -2.0 * i / d);
                double cos = Math.cos(angle), sin = Math.sin(angle);
                for (int b = 0; b < batch; b++)
                    for (int h = 0; h < heads; h++) {
                        int base = (b * seq + s) * width + h * d;
                        double lo = in[base + i], hi = in[base + i + half];
                        out[base + i] = lo * cos - hi * sin;
                        out[base + i + half] = hi * cos + lo * sin;
                    }
            }
        }
        return new DenseTensor(x.shape(), out);
    }

    /**
     * The ALiBi slope of each head, exactly as HF's {@code build_alibi_tensor} (models/bloom/modeling_bloom.py):
     * for the largest power of two p <= heads the slopes are base^1..base^p with base = 2^(-8/p); the
     * remaining heads - p heads take the odd powers 1, 3, 5, ... of 2^(-8/(2p)) (the slopes of 2p heads, every other one).
     */
    public static double[] alibiSlopes(int heads) {
        if (heads < 1) throw new IllegalArgumentException("ALiBi needs at least one head, got " + heads);
        int closest = Integer.highestOneBit(heads);
        double[] slopes = new double[heads];
        double base = Math.pow(2, -Math.pow(2, -(log2(closest) - 3)));
        for (int i = 0; i < closest; i++) slopes[i] = Math.pow(base, i + 1);
        if (closest != heads) {
            double extraBase = Math.pow(2, -Math.pow(2, -(log2(2 * closest) - 3)));
            int remaining = Math.min(closest, heads - closest);
            for (int i = 0; i < remaining; i++) slopes[closest + i] = Math.pow(extraBase, 2 * i + 1);
        }
        return slopes;
    }

    /**
     * ALiBi bias [B*heads, 1, S] from the mask [B, S] (1 = token, 0 = padding), as {@code build_alibi_tensor}:
     * position = (cumsum(mask) - 1) * mask, so padding gets 0 and the first real token 0; entry (b*heads + h, 0, j)
     * = slope_h * position(b, j). It depends on the key position only: softmax is shift-invariant per row, so this
     * equals the relative-distance bias of the ALiBi paper for causal attention.
     */
    static DenseTensor alibi(Op.Alibi op, DenseTensor mask) {
        if (mask.rank() != 2) throw new IllegalArgumentException(op.name() + ": mask " + mask.shape() + " is not [B, S]");
        int batch = mask.dim(0), seq = mask.dim(1), heads = op.heads();
        double[] slopes = alibiSlopes(heads);
        double[] out = new double[batch * heads * seq];
        for (int b = 0; b < batch; b++) {
            double cumsum = 0;
            for (int j = 0; j < seq; j++) {
                boolean token = mask.values()[b * seq + j] != 0;
                if (token) cumsum++;
                // (cumsum - 1) * mask, written so a padded slot is +0 rather than -0 (HF's is an integer 0).
                double position = token ? cumsum - 1 : 0;
                for (int h = 0; h < heads; h++) out[(b * heads + h) * seq + j] = slopes[h] * position;
            }
        }
        return new DenseTensor(List.of(batch * heads, 1, seq), out);
    }

    private static double log2(int powerOfTwo) { return Integer.numberOfTrailingZeros(powerOfTwo); }
}
