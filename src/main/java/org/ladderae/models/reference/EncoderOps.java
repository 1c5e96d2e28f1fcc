package org.ladderae.models.reference;

import java.util.List;
import org.ladderae.models.Op;

/**
 * Reference semantics of the encoder-model ops (ViT, Conformer), in double precision, following each op's javadoc in
 * {@link Op}: the index arithmetic here is what the GPU kernels of {@code kernels/encoder/encoder_ops.cu} must match.
 */
public final class EncoderOps {
    private EncoderOps() {}

    /** Exact (erf) GeLU, as the reference applies it: for emulations of the kernels outside this package. */
    public static double geluErf(double x) { return ElementwiseOps.geluErf(x); }

    static DenseTensor patchify(Op.Patchify op, DenseTensor x) {
        int b = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3), p = op.patch(), ph = h / p, pw = w / p, width = c * p * p;
        double[] in = x.values(), out = new double[x.size()];
        for (int n = 0; n < b; n++)
            for (int py = 0; py < ph; py++)
                for (int px = 0; px < pw; px++) {
                    int row = (n * ph + py) * pw + px;
                    for (int ch = 0; ch < c; ch++)
                        for (int i = 0; i < p; i++)
                            for (int j = 0; j < p; j++)
                                out[row * width + (ch * p + i) * p + j] = in[((n * c + ch) * h + py * p + i) * w + px * p + j];
                }
        return new DenseTensor(List.of(b, ph * pw, width), out);
    }

    static DenseTensor classToken(Op.ClassToken op, DenseTensor x, DenseTensor token, DenseTensor position) {
        int b = x.dim(0), n = x.dim(1), d = x.dim(2);
        double[] out = new double[b * (n + 1) * d];
        for (int i = 0; i < b; i++)
            for (int t = 0; t <= n; t++)
                for (int e = 0; e < d; e++)
                    out[(i * (n + 1) + t) * d + e] = (t == 0 ? token.values()[e] : x.values()[(i * n + t - 1) * d + e]) + position.values()[t * d + e];
        return new DenseTensor(List.of(b, n + 1, d), out);
    }

    static DenseTensor takeToken(Op.TakeToken op, DenseTensor x) {
        int b = x.dim(0), s = x.dim(1), d = x.dim(2);
        double[] out = new double[b * d];
        for (int i = 0; i < b; i++) System.arraycopy(x.values(), (i * s + op.index()) * d, out, i * d, d);
        return new DenseTensor(List.of(b, 1, d), out);
    }

    static DenseTensor scaledAdd(Op.ScaledAdd op, DenseTensor a, DenseTensor b) {
        if (!a.shape().equals(b.shape())) throw new IllegalArgumentException(op.name() + ": operands " + a.shape() + " and " + b.shape() + " differ");
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.values()[i] + op.scale() * b.values()[i];
        return new DenseTensor(a.shape(), out);
    }

    static DenseTensor glu(Op.Glu op, DenseTensor x) {
        int w = x.dim(-1), c = w / 2, rows = x.rows();
        double[] out = new double[rows * c];
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < c; i++)
                out[r * c + i] = x.values()[r * w + i] * ElementwiseOps.sigmoid(x.values()[r * w + c + i]);
        List<Integer> shape = new java.util.ArrayList<>(x.shape());
        shape.set(shape.size() - 1, c);
        return new DenseTensor(shape, out);
    }

    static DenseTensor depthwiseConv1d(Op.DepthwiseConv1d op, DenseTensor x, DenseTensor weight, DenseTensor bias) {
        int b = x.dim(0), t = x.dim(1), c = x.dim(2), k = op.kernel(), pad = (k - 1) / 2;
        double[] out = new double[x.size()];
        for (int n = 0; n < b; n++)
            for (int s = 0; s < t; s++)
                for (int ch = 0; ch < c; ch++) {
                    double acc = bias == null ? 0 : bias.values()[ch];
                    for (int j = 0; j < k; j++) {
                        int src = s + j - pad;
                        if (src >= 0 && src < t) acc += weight.values()[ch * k + j] * x.values()[(n * t + src) * c + ch];
                    }
                    out[(n * t + s) * c + ch] = acc;
                }
        return new DenseTensor(x.shape(), out);
    }

    static DenseTensor batchNorm(Op.BatchNorm op, DenseTensor x, DenseTensor weight, DenseTensor bias, DenseTensor mean, DenseTensor var) {
        int c = x.dim(-1);
        double[] out = new double[x.size()];
        for (int i = 0; i < out.length; i++) {
            int ch = i % c;
            out[i] = (x.values()[i] - mean.values()[ch]) / Math.sqrt(var.values()[ch] + op.eps()) * weight.values()[ch] + bias.values()[ch];
        }
        return new DenseTensor(x.shape(), out);
    }
}
