package org.ladderae.models.reference;

import org.ladderae.models.Op;

/** RMSNorm and LayerNorm over the last axis. */
final class NormOps {
    private NormOps() {}

    /**
     * y = x / sqrt(mean(x^2) + eps) * weight, as HF {@code LlamaRMSNorm.forward} (transformers
     * models/llama/modeling_llama.py): variance is the plain mean of squares (no mean subtraction), eps inside the root.
     */
    static DenseTensor rmsNorm(Op.RmsNorm op, DenseTensor x, DenseTensor weight) {
        int d = x.dim(-1);
        checkAxis(op.name(), d, weight);
        double[] in = x.values(), out = new double[in.length];
        for (int r = 0; r < x.rows(); r++) {
            double sumSq = 0;
            for (int i = 0; i < d; i++) sumSq += in[r * d + i] * in[r * d + i];
            double inv = 1 / Math.sqrt(sumSq / d + op.eps());
            for (int i = 0; i < d; i++) out[r * d + i] = in[r * d + i] * inv * (weight == null ? 1 : weight.values()[i]);
        }
        return new DenseTensor(x.shape(), out);
    }

    /** y = (x - mean) / sqrt(var + eps) * weight + bias with the biased variance (divide by D), as torch.nn.LayerNorm. */
    static DenseTensor layerNorm(Op.LayerNorm op, DenseTensor x, DenseTensor weight, DenseTensor bias) {
        int d = x.dim(-1);
        checkAxis(op.name(), d, weight);
        if (bias != null) checkAxis(op.name(), d, bias);
        double[] in = x.values(), out = new double[in.length];
        for (int r = 0; r < x.rows(); r++) {
            double mean = 0;
            for (int i = 0; i < d; i++) mean += in[r * d + i];
            mean /= d;
            double var = 0;
            for (int i = 0; i < d; i++) var += (in[r * d + i] - mean) * (in[r * d + i] - mean);
            double inv = 1 / Math.sqrt(var / d + op.eps());
            for (int i = 0; i < d; i++)
                out[r * d + i] = (in[r * d + i] - mean) * inv * weight.values()[i] + (bias == null ? 0 : bias.values()[i]);
        }
        return new DenseTensor(x.shape(), out);
    }

    private static void checkAxis(String name, int d, DenseTensor v) {
        if (v != null && (v.rank() != 1 || v.dim(0) != d)) throw new IllegalArgumentException(name + ": " + v.shape() + " does not match the last axis " + d);
    }
}
